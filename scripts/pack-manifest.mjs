// The package.json that goes into the tarball, without `prepare`.
//
// `prepare` builds dist/ when `npm install` runs in a clone (the README's first command). In a
// tarball it has nothing to do (dist/ is packed, and npm never runs a tarball's `prepare`), yet
// npm 11 lists a package installed from a tarball or git that has one among the packages whose
// install scripts need approving (allowScripts). So `prepack` takes it out of package.json for the
// time of the pack and `postpack` puts the file back byte for byte, as pinst does for postinstall.
//
//   node scripts/pack-manifest.mjs strip     (prepack, after the build)
//   node scripts/pack-manifest.mjs restore   (postpack)
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifestPath = new URL('../package.json', import.meta.url);
// Beside package.json, so a pack that died before postpack leaves the original in sight; the next
// strip or restore puts it back. Never packed: "files" does not name it.
const keptPath = new URL('../package.json.prepack', import.meta.url);

/** Replaces package.json in one step: other processes may be reading it. */
function writeManifest(text) {
  const temporary = new URL(`../package.json.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temporary, text);
  renameSync(temporary, manifestPath);
}

function restore() {
  if (existsSync(keptPath)) renameSync(keptPath, manifestPath);
}

const step = process.argv[2];
if (step === 'strip') {
  restore();
  const original = readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(original);
  delete manifest.scripts.prepare;
  writeFileSync(keptPath, original);
  writeManifest(`${JSON.stringify(manifest, null, 2)}\n`);
} else if (step === 'restore') {
  restore();
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
