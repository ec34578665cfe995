// CommonJS in TypeScript: require() comes with the types too (module node16 or nodenext).
import testing = require('hookctl/testing');

const options: testing.SignOptions = { scheme: 'github', secret: 'gh-secret', body: '{"zen":"Keep it logically awesome."}', event: 'ping' };
const headers: Record<string, string> = testing.sign(options);
const outcome: testing.VerifyOutcome = testing.verify({ scheme: 'github', secret: 'gh-secret', headers, body: options.body! });
if (!outcome.ok) throw new Error(`expected the signature to verify: ${outcome.message}`);
console.log(`require-types.cts: ${outcome.scheme} ${outcome.ok ? 'verified' : 'refused'}`);
