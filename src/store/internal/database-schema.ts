import type { Generated } from 'kysely';

/** Table shapes shared by the SQL stores (Kysely's typed schema). JSON columns hold text. */
export interface RequestLogTable {
  id: string;
  time: number;
  api_key_id: string | null;
  requested_model: string;
  route: string | null;
  served_model: string | null;
  provider: string | null;
  tiers: string;
  status: number;
  error_code: string | null;
  stream: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  usage_source: string | null;
  cost_usd: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  escalations: number;
  tag: string | null;
  decision: string | null;
  request_messages: string | null;
  response_text: string | null;
}

export interface ReviewItemTable {
  id: string;
  route: string;
  request_id: string;
  status: string;
  created_at: number;
  input: string;
  labels: string | null;
  candidates: string;
  claimed_by: string | null;
  claimed_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  decision: string | null;
  seq: Generated<number>;
}

export interface PromotionTable {
  family_id: string;
  matcher: string;
  specialist: string;
  mode: string;
  threshold: number | null;
  updated_at: number;
  note: string | null;
}

export interface Database {
  request_log: RequestLogTable;
  review_item: ReviewItemTable;
  promotion: PromotionTable;
}
