// The benchmark's baseline: a bare Fastify route that answers every notification with the fixed ack,
// in its own process like the gateway. Prints `listening <port>` once it serves.
import Fastify from 'fastify';
import { NOTIFY_ACK_BODY } from '../../libs/alipayplus/src/models/notify-ack';

async function main() {
  const app = Fastify();
  app.post('/alipayplus/notify', async (_req, reply) => {
    void reply.header('content-type', 'application/json; charset=UTF-8');
    return NOTIFY_ACK_BODY;
  });
  await app.listen({ port: Number(process.env.HTTP_PORT ?? 0), host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
