import { z } from 'zod';

/*
 * Building blocks shared by both dialects (protocol.md §6): every scalar is a JSON string; optional
 * fields may be omitted or null; objects are loose because Alipay+/Antom add fields over time and a
 * new field must never make us reject a payment result.
 *
 * Lengths are enforced only on what we act on or store (ids, result codes, amounts). Informational
 * fields are checked for type alone: a genuine result refused over a long wallet name or message
 * would be re-sent until the peer gives up, its inquiry answer would be unreadable too, and the
 * order would end in a cancel that reverses the payment. Messages are cut to size when they are
 * recorded (contracts' fitResultMessage).
 */

export const RESULT_STATUSES = ['S', 'F', 'U'] as const;
export const ResultStatusSchema = z.enum(RESULT_STATUSES);
export type ResultStatus = z.infer<typeof ResultStatusSchema>;

/** IDs such as paymentRequestId, paymentId, acquirerId, pspId: at most 64 characters (§2–§4). */
export const Id64Schema = z.string().min(1).max(64);
/** An optional ID; empty strings are tolerated on input (§6 says they should not be sent) and dropped when normalized. */
export const OptionalId64Schema = z.string().max(64).nullish();
/** Free text such as walletBrandName; no length documented, so none is enforced. */
export const OptionalTextSchema = z.string().nullish();
/** An ID we neither act on nor store (acquirerId, pspId, customerId, …): type only. */
export const InfoIdSchema = OptionalTextSchema;
/**
 * ISO-8601 with offset in practice (`+08:00`, `Z`, fractions); kept as the string received — parse
 * leniently (§6). A value that is not an instant is left out when the event is built (normalizeInstant).
 */
export const DateTimeStringSchema = OptionalTextSchema;

/**
 * Amount {currency: ISO-4217 alpha-3, value: positive integer string in minor units} (§6),
 * e.g. USD 1.00 → {"currency":"USD","value":"100"}.
 */
export const AmountSchema = z.looseObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be 3 uppercase letters (ISO-4217)'),
  value: z.string().regex(/^[1-9][0-9]*$/, 'value must be a positive integer string in minor units'),
});
export type Amount = z.infer<typeof AmountSchema>;

/**
 * Secondary amounts (settlement, transactions, actual paid) are informational; they are checked only for
 * shape so that, say, a zero promotion amount cannot make a payment result unreadable.
 */
export const LenientAmountSchema = z.looseObject({
  currency: z.string().nullish(),
  value: z.string().nullish(),
});

/**
 * Result {resultCode ≤64, resultStatus S/F/U, resultMessage} (§6). §6 gives the message ≤256; it is
 * informational, so a longer one is accepted and cut when recorded.
 */
export const ResultSchema = z.looseObject({
  resultCode: z.string().min(1).max(64),
  resultStatus: ResultStatusSchema,
  resultMessage: z.string().nullish(),
});
export type Result = z.infer<typeof ResultSchema>;

/** In a notification the status is final: S or F, never U (§2.1, §2.2). */
export const NotifyResultSchema = ResultSchema.extend({ resultStatus: z.enum(['S', 'F']) });
export type NotifyResult = z.infer<typeof NotifyResultSchema>;

/** FX quote (settlementQuote, paymentQuote); [SDK] java model/aps/Quote.java (§2.1). */
export const QuoteSchema = z.looseObject({
  quoteId: OptionalTextSchema,
  quoteCurrencyPair: OptionalTextSchema,
  quotePrice: OptionalTextSchema,
  quoteStartTime: DateTimeStringSchema,
  quoteExpiryTime: DateTimeStringSchema,
  baseCurrency: OptionalTextSchema,
  quoteUnit: OptionalTextSchema,
});

/**
 * A follow-up transaction listed by inquiryPayment (§3.1). Type and status are plain strings rather
 * than enums: the Java SDK throws on unknown enum values (§7), we keep them readable instead.
 */
export const TransactionSchema = z.looseObject({
  transactionResult: z
    .looseObject({
      resultCode: OptionalTextSchema,
      resultStatus: OptionalTextSchema,
      resultMessage: OptionalTextSchema,
    })
    .nullish(),
  transactionId: InfoIdSchema,
  transactionRequestId: InfoIdSchema,
  transactionType: OptionalTextSchema,
  transactionStatus: OptionalTextSchema,
  transactionAmount: LenientAmountSchema.nullish(),
  transactionTime: DateTimeStringSchema,
});

/** Requests identify the payment by paymentRequestId or paymentId, at least one (§3.1, §3.2, §4.1, §4.2). */
export function hasPaymentId(request: { paymentRequestId?: string; paymentId?: string }): boolean {
  return request.paymentRequestId !== undefined || request.paymentId !== undefined;
}
export const PAYMENT_ID_REQUIRED = {
  message: 'paymentRequestId or paymentId is required',
  path: ['paymentRequestId'],
};

/** The IDs a request names the payment by (§3.1, §3.2, §4.1, §4.2). */
export const PAYMENT_ID_FIELDS = {
  paymentRequestId: Id64Schema.optional(),
  paymentId: Id64Schema.optional(),
};

/** Antom: the merchant account of a multi-location client ID, ≤32 (§3.2, §4.2). */
export const MerchantAccountIdSchema = z.string().min(1).max(32).optional();

/** A request body naming the payment by paymentRequestId or paymentId, at least one; keys in `shape` order. */
export function paymentRequestSchema<T extends typeof PAYMENT_ID_FIELDS & z.ZodRawShape>(shape: T) {
  return z.object(shape).refine((r) => hasPaymentId(r as { paymentRequestId?: string }), PAYMENT_ID_REQUIRED);
}

/** Formats validation issues as `path: message; …` for a result reason (no field values are echoed). */
export function describeIssues(error: z.ZodError, limit = 5): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}
