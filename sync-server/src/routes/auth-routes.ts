/** `POST /auth/enroll` and `POST /auth/token`. */
import type { FastifyInstance } from 'fastify';
import { issueAccessToken, TILL_SCOPE } from '../auth/access-token.ts';
import { enrollDevice, findDeviceByRefreshToken } from '../auth/enrollment.ts';
import type { ServerContext } from '../context.ts';
import { bearer, refuse } from '../context.ts';

const enrollBody = {
  type: 'object',
  additionalProperties: false,
  required: ['enrollmentCode', 'deviceName', 'appVersion'],
  properties: {
    enrollmentCode: { type: 'string', minLength: 1, maxLength: 64 },
    deviceName: { type: 'string', minLength: 1, maxLength: 100 },
    appVersion: { type: 'string', minLength: 1, maxLength: 40 },
  },
} as const;

interface EnrollBody {
  readonly enrollmentCode: string;
  readonly deviceName: string;
  readonly appVersion: string;
}

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: EnrollBody }>('/auth/enroll', { schema: { body: enrollBody } }, async (request, reply) => {
    const enrollment = await enrollDevice(
      ctx.db,
      {
        code: request.body.enrollmentCode,
        deviceName: request.body.deviceName,
        appVersion: request.body.appVersion,
      },
      ctx.now(),
    );
    if (enrollment === undefined) {
      return refuse(reply, 401, 'invalid_enrollment_code', 'the enrolment code is unknown, used or expired');
    }
    request.log.info({ deviceId: enrollment.deviceId, storeId: enrollment.storeId }, 'device enrolled');
    return reply.code(201).send(enrollment);
  });

  app.post('/auth/token', async (request, reply) => {
    const refreshToken = bearer(request);
    if (refreshToken === undefined) return refuse(reply, 401, 'unauthorized', 'missing refresh token');
    const device = await findDeviceByRefreshToken(ctx.db, refreshToken);
    if (device === undefined || device.revoked) {
      return refuse(reply, 401, 'unauthorized', 'unknown or revoked device');
    }
    const now = ctx.now();
    const { token, expiresAt } = await issueAccessToken(
      ctx.tokenKey,
      { deviceId: device.device_id, storeId: device.store_id, scope: TILL_SCOPE },
      Math.floor(now.getTime() / 1000),
    );
    await ctx.db.query('update devices set last_seen_at = $2 where device_id = $1', [
      device.device_id,
      now.toISOString(),
    ]);
    return {
      accessToken: token,
      tokenType: 'Bearer',
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      deviceId: device.device_id,
      storeId: device.store_id,
      scope: TILL_SCOPE,
      serverEpoch: ctx.epoch,
      serverTime: now.toISOString(),
    };
  });
}
