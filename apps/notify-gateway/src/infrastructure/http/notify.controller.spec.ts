import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DIALECTS } from '@app/alipayplus';
import { NOTIFY_ROUTES, NotifyController } from './notify.controller';

describe('NotifyController', () => {
  it('serves a POST notify route for every dialect, and no other route', () => {
    const proto = NotifyController.prototype as unknown as Record<string, unknown>;
    const routes = Object.getOwnPropertyNames(proto)
      .filter((name) => name !== 'constructor')
      .map((name) => proto[name])
      .filter((fn): fn is object => typeof fn === 'function' && Reflect.hasMetadata(PATH_METADATA, fn))
      .map((fn) => ({
        path: Reflect.getMetadata(PATH_METADATA, fn) as string,
        method: Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod,
      }));
    expect(routes.map((r) => r.method)).toEqual(routes.map(() => RequestMethod.POST));
    expect(routes.map((r) => r.path).sort()).toEqual(DIALECTS.map((d) => NOTIFY_ROUTES[d]).sort());
  });
});
