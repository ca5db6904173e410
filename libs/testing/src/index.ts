export { waitFor, type WaitForOptions } from './wait-for';
export {
  infraEndpoints,
  isLocalInfraManaged,
  purgeInfra,
  repoRoot,
  runInfraCommand,
  runInfraScript,
  startInfra,
  startKafka,
  startPostgres,
  stopInfra,
  stopKafka,
  stopPostgres,
  type InfraEndpoints,
  type StartInfraOptions,
} from './local-infra';
