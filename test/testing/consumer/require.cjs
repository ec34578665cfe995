// CommonJS: require('hookctl/testing') works without a flag on Node 20.
const assert = require('node:assert/strict');
const { sign, verify, signedRequest, send, startReceiver, samples } = require('hookctl/testing');

async function main() {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = JSON.stringify({ type: 'user.created', data: { id: 'u_1' } });
  const headers = sign({ scheme: 'standard', secret, body });
  assert.equal(verify({ secret, headers, body }).ok, true);
  assert.ok((await samples.list('stripe')).length > 0);

  const request = signedRequest('http://localhost/hook', { scheme: 'github', secret: 'gh', event: 'push' });
  assert.equal(request.headers.get('x-github-event'), 'push');

  const receiver = await startReceiver({ secret });
  try {
    const result = await send(receiver.url, { scheme: 'standard', secret, event: 'invoice.paid' });
    assert.equal(result.status, 200);
    const [delivery] = await receiver.waitFor(1);
    assert.equal(delivery.verified, true);
  } finally {
    await receiver.close();
  }
  console.log('require(hookctl/testing): ok');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
