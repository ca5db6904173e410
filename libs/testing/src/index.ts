export { waitFor, type WaitForOptions } from './wait-for';
export {
  infraEndpoints,
  isLocalInfraManaged,
  purgeInfra,
  repoRoot,
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
