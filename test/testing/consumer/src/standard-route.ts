// A Next.js route handler (app/api/webhooks/route.ts) verifying Standard Webhooks with their library.
import { Webhook } from 'standardwebhooks';

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  try {
    const event = new Webhook(process.env.STANDARD_WEBHOOK_SECRET!).verify(body, Object.fromEntries(request.headers)) as { type: string };
    return Response.json({ received: event.type });
  } catch {
    return new Response('invalid signature', { status: 401 });
  }
}
