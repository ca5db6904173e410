import 'reflect-metadata';
import { runService } from '@app/observability';
import { loadNotifyGatewayConfig } from './config';
import { bootstrapNotifyGateway } from './bootstrap';

// async, so that a configuration error becomes a clean "failed to start" naming the settings.
runService('notify-gateway', async () => bootstrapNotifyGateway(loadNotifyGatewayConfig()));
