import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListEventsQuery } from '../common/api-types';

export const MAX_EVENTS_PAGE = 500;
export const MAX_WAIT_SECONDS = 60;

export class ListEventsQueryDto implements ListEventsQuery {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PAGE, { message: `must be at most ${MAX_EVENTS_PAGE}; follow nextCursor for more` })
  limit: number = 100;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS, { message: `must be at most ${MAX_WAIT_SECONDS} seconds` })
  wait: number = 0;
}
