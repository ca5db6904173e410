import { createHash, timingSafeEqual } from 'crypto';
import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OperatorAuthConfig, OperatorRole, OperatorToken } from './operator-tokens';

/** Who made a request, as recorded with each action. */
export interface Operator {
  readonly name: string;
  readonly role: OperatorRole;
}

/** The operator of a request when auth is disabled (the demo, local runs). */
export const ANONYMOUS_OPERATOR: Operator = { name: 'anonymous', role: 'operator' };

const ROLE_KEY = 'operator-auth:role';
const RANK: Record<OperatorRole, number> = { viewer: 1, operator: 2 };

/** The provider token under which a service binds its OperatorAuthConfig. */
export const OPERATOR_AUTH_CONFIG = Symbol('OPERATOR_AUTH_CONFIG');

/**
 * `@RequireRole('viewer')` on reads, `@RequireRole('operator')` on actions. Refusals are shaped like
 * the rest of the API: 401 `{code:"UNAUTHENTICATED"}` without a valid bearer token, 403
 * `{code:"FORBIDDEN"}` when the token's role is too low.
 */
export const RequireRole = (role: OperatorRole) =>
  applyDecorators(SetMetadata(ROLE_KEY, role), UseGuards(OperatorAuthGuard));

/** The operator the guard admitted (set on the request). */
export function operatorOf(request: unknown): Operator {
  return (request as { operator?: Operator }).operator ?? ANONYMOUS_OPERATOR;
}

/** Whether the caller may see the partners' raw bodies (operators only). */
export const maySeeRawBodies = (request: unknown): boolean => operatorOf(request).role === 'operator';

@Injectable()
export class OperatorAuthGuard implements CanActivate {
  private readonly digests: { digest: Buffer; token: OperatorToken }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(OPERATOR_AUTH_CONFIG) private readonly config: OperatorAuthConfig,
  ) {
    this.digests =
      config.mode === 'tokens' ? config.tokens.map((token) => ({ digest: sha256(token.token), token })) : [];
  }

  canActivate(context: ExecutionContext): boolean {
    const required =
      this.reflector.getAllAndOverride<OperatorRole | undefined>(ROLE_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'operator';
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; operator?: Operator }>();
    if (this.config.mode === 'disabled') {
      request.operator = ANONYMOUS_OPERATOR;
      return true;
    }
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
    if (!match) {
      throw new HttpException(
        {
          code: 'UNAUTHENTICATED',
          message: 'an operator bearer token is required (Authorization: Bearer …)',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    const found = this.find(match[1]);
    if (!found) {
      throw new HttpException(
        { code: 'UNAUTHENTICATED', message: 'unknown operator token' },
        HttpStatus.UNAUTHORIZED,
      );
    }
    if (RANK[found.role] < RANK[required]) {
      throw new HttpException(
        {
          code: 'FORBIDDEN',
          message: `this needs the ${required} role; token "${found.name}" is a ${found.role}`,
        },
        HttpStatus.FORBIDDEN,
      );
    }
    request.operator = { name: found.name, role: found.role };
    return true;
  }

  /** Compares digests in constant time, so response timing tells nothing about a token's prefix. */
  private find(presented: string): OperatorToken | undefined {
    const digest = sha256(presented);
    let hit: OperatorToken | undefined;
    for (const entry of this.digests) if (timingSafeEqual(entry.digest, digest)) hit = entry.token;
    return hit;
  }
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
