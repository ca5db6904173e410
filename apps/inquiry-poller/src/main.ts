import 'reflect-metadata';
import { runService } from '@app/observability';
import { loadInquiryPollerConfig } from './config';
import { bootstrapInquiryPoller } from './bootstrap';

// async, so that a configuration error becomes a rejected boot: runService prints the offending
// settings and exits 1, instead of an uncaught exception with a stack trace.
runService('inquiry-poller', async () => bootstrapInquiryPoller(loadInquiryPollerConfig()));
