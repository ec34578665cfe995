// A Fastify app verifying GitHub webhooks: JSON bodies kept as the raw string for the signature.
import { verify } from '@octokit/webhooks-methods';
import Fastify, { type FastifyInstance } from 'fastify';

export function buildApp(secret: string): FastifyInstance {
  const app = Fastify();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/webhooks/github', async (request, reply) => {
    const body = request.body as string;
    const signature = request.headers['x-hub-signature-256'];
    if (typeof signature !== 'string' || !(await verify(secret, body, signature))) {
      return reply.code(401).send({ error: 'invalid signature' });
    }
    return { received: request.headers['x-github-event'] };
  });
  return app;
}
