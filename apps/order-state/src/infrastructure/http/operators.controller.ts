import { Controller, Get, Req } from '@nestjs/common';
import { operatorOf, RequireRole } from '@app/operator-auth';

@Controller('operators')
export class OperatorsController {
  /** Who the token belongs to (the console shows it and hides what the role may not do). */
  @Get('me')
  @RequireRole('viewer')
  me(@Req() req: unknown) {
    return operatorOf(req);
  }
}
