import { ConfigError, reloadOnSignal, ReloadLogger, SettingsReload } from '@app/config';
import { InquiryPollerConfig, loadPolledPartners, PolledPartner } from '../../config';
import type { AlipayPlusPartnerApi } from './alipayplus-partner-api';

/**
 * Reloads the partners' keys on SIGHUP, without a restart (issue 11 rows 1–3): the partner's active
 * public keys and our current signing key take effect on the next call. Invalid settings are refused
 * and the previous ones stay in force. Which partners are polled, and how often, is fixed at boot (the
 * claim loop and rate limits are built from it), so a reload that adds or removes a partner is refused
 * too, naming it: that change needs a restart.
 */
export function reloadPartnersOnSignal(
  config: InquiryPollerConfig,
  bootPartners: readonly PolledPartner[],
  api: AlipayPlusPartnerApi,
  logger: ReloadLogger,
  env: NodeJS.ProcessEnv = process.env,
): SettingsReload {
  const polled = new Set(bootPartners.map((p) => p.key));
  return reloadOnSignal({
    what: 'inquiry-poller partner settings',
    load: () => {
      const partners = loadPolledPartners(config, env);
      const keys = new Set(partners.map((p) => p.key));
      const changed = [
        ...partners.filter((p) => !polled.has(p.key)).map((p) => `partner ${p.key} was added`),
        ...[...polled].filter((k) => !keys.has(k)).map((k) => `partner ${k} was removed`),
      ];
      if (changed.length > 0) {
        throw new ConfigError(
          'inquiry-poller',
          changed.map((c) => `${c}: the polled partners change only with a restart`),
        );
      }
      return partners;
    },
    apply: (partners) => api.replacePartners(partners),
    logger,
  });
}
