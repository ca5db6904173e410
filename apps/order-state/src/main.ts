import 'reflect-metadata';
import { runService } from '@app/observability';
import { loadOrderStateConfig } from './config';
import { bootstrapOrderState } from './bootstrap';

// async, so that a configuration error becomes a clean "failed to start" naming the settings.
runService('order-state', async () => bootstrapOrderState(loadOrderStateConfig()));
