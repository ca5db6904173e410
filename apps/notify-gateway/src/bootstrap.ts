import { createServer, RequestListener } from 'http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadPartners, reloadOnSignal } from '@app/config';
import { Topics } from '@app/contracts';
import { createKafkaClient, DurableProducer, ensureTopics, KafkaReachability } from '@app/kafka';
import { createLogger, eventLoopCheck, ServiceMetrics, ServiceProbes } from '@app/observability';
import { NotifyGatewayConfig } from './config';
import { NotifyGatewayModule } from './notify-gateway.module';
import { AckSigner } from './application/ack-signer';
import { GatewayMetrics } from './infrastructure/metrics/gateway-metrics';
import { TimedPublisher } from './infrastructure/messaging/timed-publisher';
import { ProducerLanes } from './infrastructure/messaging/producer-lanes';
import { ReceiveNotificationUseCase } from './application/receive-notification.use-case';
import { ProtocolExceptionFilter } from './infrastructure/http/protocol-exception.filter';
import { rawBodyParser, RequestTimeouts } from './infrastructure/http/raw-body.parser';
import { Draining } from './infrastructure/http/draining';

export interface RunningNotifyGateway {
  app: NestFastifyApplication;
  url: string;
  /** Re-reads the partner settings now, as SIGHUP does; false when they are invalid (the old ones stay). */
  reloadPartners(): boolean;
  close(): Promise<void>;
}

export async function bootstrapNotifyGateway(config: NotifyGatewayConfig): Promise<RunningNotifyGateway> {
  const logger = createLogger('notify-gateway');
  const partners = loadPartners(config, process.env, 'notify-gateway');

  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'notify-gateway',
    logger,
  });
  if (config.KAFKA_CREATE_TOPICS) await ensureTopics(kafka, [Topics.resultObserved, Topics.inquiryHint]);
  // KAFKA_PRODUCER_LANES producers, each with its own request in flight (ProducerLanes).
  const producers = Array.from(
    { length: config.KAFKA_PRODUCER_LANES },
    () =>
      new DurableProducer(kafka, {
        sendTimeoutMs: config.PUBLISH_TIMEOUT_MS,
        // Notifications that arrive in one event-loop turn share one produce request (issue 14: a
        // request costs about as much CPU as its messages together); each still waits for its own ack.
        lingerMs: 0,
        logger,
      }),
  );
  await Promise.all(producers.map((p) => p.connect()));

  const metrics = new GatewayMetrics(new ServiceMetrics('notify-gateway'));
  metrics.watchProducers(producers);
  const kafkaUp = new KafkaReachability(kafka);
  const loop = eventLoopCheck();
  const probes = new ServiceProbes({
    live: [loop],
    // Without Kafka every notification is answered U: take the pod out of the Service meanwhile.
    ready: [{ code: 'KAFKA_UNAVAILABLE', check: () => kafkaUp.reachable() }],
  });
  const signer = new AckSigner();
  const receive = new ReceiveNotificationUseCase(
    partners,
    new ProducerLanes(producers.map((p) => new TimedPublisher(p, metrics))),
    signer,
    config.PUBLISH_TIMEOUT_MS,
  );
  const draining = new Draining(partners, signer);
  const timeouts = new RequestTimeouts();
  const adapter = new FastifyAdapter({
    // The server is built here: Node takes the request timeout (and the header timeout derived from
    // it) only when the server is built, and checks unfinished requests every 30 s by default. Fastify
    // applies its own keep-alive default (72 s) only to a server it builds, so it is set here too:
    // Node's 5 s would be the gateway's.
    serverFactory: (handler: RequestListener) => {
      const server = createServer(
        {
          requestTimeout: config.REQUEST_TIMEOUT_MS,
          keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
          connectionsCheckingInterval: 1000,
        },
        handler,
      );
      timeouts.watch(server); // a 408 is logged as REQUEST_TIMEOUT, not as an error
      return server;
    },
    // A notification arriving while we shut down gets the protocol's U answer (Draining), not
    // Fastify's bare {"statusCode":503,…}, which the sender could not read as a protocol answer.
    return503OnClosing: false,
  });
  const fastify = adapter.getInstance();
  // Signatures are over the exact bytes received (protocol.md §1.8 d): keep the body as a Buffer and
  // never let a JSON parser touch it first. The use case checks the content type.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', rawBodyParser(config.BODY_LIMIT_BYTES, timeouts));
  const app = await NestFactory.create<NestFastifyApplication>(
    NotifyGatewayModule.forRoot(receive, metrics, probes, draining),
    adapter,
    {
      logger,
      // Nest would otherwise register its own JSON parser over ours and the raw bytes would be lost.
      bodyParser: false,
    },
  );
  app.useGlobalFilters(new ProtocolExceptionFilter());
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  logger.log(`notify-gateway listening on :${port} for ${partners.length} partner(s)`);

  // Partner keys reload on SIGHUP, without a restart (issue 11 rows 1–3).
  const partnerReload = reloadOnSignal({
    what: 'notify-gateway partner settings',
    load: () => loadPartners(config, process.env, 'notify-gateway'),
    apply: (reloaded) => {
      receive.replacePartners(reloaded);
      draining.replacePartners(reloaded);
    },
    logger,
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      partnerReload.close();
      probes.startDraining(); // not ready from now on (the preStop sleep lets endpoints catch up)
      draining.start(); // notifications not yet being handled are answered U from now on
      await app.close(); // stop taking requests, finish those in flight
      await Promise.all(producers.map((p) => p.disconnect()));
      await kafkaUp.close();
      loop.stop();
    })());
  return { app, url: `http://127.0.0.1:${port}`, reloadPartners: partnerReload.reload, close };
}
