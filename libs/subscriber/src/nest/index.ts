export {
  PaymentEventsModule,
  PaymentEventsSubscriptions,
  PAYMENT_EVENTS_OPTIONS,
  type PaymentEventsModuleOptions,
  type PaymentEventsModuleAsyncOptions,
} from './payment-events.module';
