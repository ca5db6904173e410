import 'reflect-metadata';
import { runService } from '@app/observability';
import { loadNotifyGatewayConfig } from './config';
import { bootstrapNotifyGateway } from './bootstrap';

runService('notify-gateway', () => bootstrapNotifyGateway(loadNotifyGatewayConfig()));
