// A Next.js route handler (app/api/webhooks/github/route.ts) verifying GitHub with octokit.
import { verify } from '@octokit/webhooks-methods';

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  const signature = request.headers.get('x-hub-signature-256');
  if (!signature || !(await verify(process.env.GITHUB_WEBHOOK_SECRET!, body, signature))) {
    return new Response('invalid signature', { status: 401 });
  }
  const payload = JSON.parse(body) as { action?: string };
  return Response.json({ event: request.headers.get('x-github-event'), action: payload.action ?? null });
}
