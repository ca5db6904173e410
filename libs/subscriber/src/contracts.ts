// The one place the library reaches the event contracts: the same zod schemas the producers validate
// with. In the monorepo this is the `@app/contracts` alias; the package build (scripts/pack.js)
// compiles the contracts in and points this import at them, so the package stands on its own.
export {
  Topics,
  decodeEvent,
  encodeEvent,
  type DeadLetterV1,
  type ExceptionEventV1,
  type StatusChangedV1,
} from '@app/contracts';
