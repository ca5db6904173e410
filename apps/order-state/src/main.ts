import 'reflect-metadata';
import { runService } from '@app/observability';
import { loadOrderStateConfig } from './config';
import { bootstrapOrderState } from './bootstrap';

runService('order-state', () => bootstrapOrderState(loadOrderStateConfig()));
