import { z } from 'zod';
import { type Deployment, type ModelClass, modalitySchema } from '../catalog/catalog.ts';

/**
 * The selection contract: the decision matrix of DESIGN.md as data. A task profile (step 1),
 * requirements (step 2) and a deployment (step 3) go in; ranked feasible models, the Pareto
 * frontier, every excluded model with its reason, and what to relax come out.
 * The engine is `select-models.ts`; per-request routing (`routing/auto/`) uses the same checks.
 */

/** Step 1: what the task is. */
export const taskProfileSchema = z.strictObject({
  /** `repetitive` (the same kind of request again and again) or `varied`. */
  task: z.enum(['repetitive', 'varied']),
  /** A narrow domain (bank intents, ticket tags): with `repetitive`, favours `slm`. @default false */
  domainSpecific: z.boolean().default(false),
  /** Accuracy-critical (legal, medical, money): favours `reasoning`. @default false */
  highStakes: z.boolean().default(false),
  /** Input modalities; image or audio is a hard constraint. @default ['text'] */
  modalities: z.array(modalitySchema).min(1).default(['text']),
  /** The task family, to use measured quality from the catalog (e.g. `banking77`, `mmlu`). */
  taskFamily: z.string().min(1).optional(),
  /** The requests need tool calls: a hard constraint. @default false */
  tools: z.boolean().default(false),
  /** Requests a day, for the monthly projection (30-day month). */
  volumePerDay: z.number().positive().optional(),
});
export type TaskProfile = z.infer<typeof taskProfileSchema>;
export type TaskProfileInput = z.input<typeof taskProfileSchema>;

/** Step 2: what the task needs. */
export const requirementsSchema = z.strictObject({
  /** Latency budget per request, in ms (time to the last token). */
  maxLatencyMs: z.number().positive().optional(),
  /** Accuracy floor in [0, 1]. */
  minAccuracy: z.number().min(0).max(1).optional(),
  /** Cost ceiling per request, in USD. */
  maxCostUsd: z.number().nonnegative().optional(),
  /** Typical input size, in tokens. @default 500 */
  tokensIn: z.number().int().nonnegative().default(500),
  /** Typical output size, in tokens (hidden reasoning tokens are added per model). @default 200 */
  tokensOut: z.number().int().nonnegative().default(200),
});
export type Requirements = z.infer<typeof requirementsSchema>;
export type RequirementsInput = z.input<typeof requirementsSchema>;

/** Where the request may be served: the model deployments plus `hybrid`. */
export const deploymentTargetSchema = z.enum(['edge', 'on-prem', 'cloud', 'hybrid']);
export type DeploymentTarget = z.infer<typeof deploymentTargetSchema>;

/** Step 3: where the data may go. */
export const deploymentProfileSchema = z.strictObject({
  /** `edge`: in process or on device only; `on-prem`: never a cloud provider; `cloud`: anything; `hybrid`: local for sensitive data. @default cloud */
  target: deploymentTargetSchema.default('cloud'),
  /** The data is sensitive (matters under `hybrid`). @default false */
  sensitiveData: z.boolean().default(false),
});
export type DeploymentProfile = z.infer<typeof deploymentProfileSchema>;
export type DeploymentProfileInput = z.input<typeof deploymentProfileSchema>;

/** The body of `POST /v1/rightsize/select` and the CLI's options: all three steps in one object. */
export const selectRequestSchema = z.strictObject({
  profile: taskProfileSchema,
  requirements: requirementsSchema.default(requirementsSchema.parse({})),
  deployment: deploymentProfileSchema.default(deploymentProfileSchema.parse({})),
});
export type SelectRequest = z.infer<typeof selectRequestSchema>;

/** Names of the constraints a model can fail, in the order they are checked. */
export type ConstraintName =
  | 'modality'
  | 'tools'
  | 'versatility'
  | 'context'
  | 'latency'
  | 'accuracy'
  | 'cost'
  | 'unpriced'
  | 'latency-unknown'
  | 'deployment';

/** A step of the decision matrix (1 task, 2 requirements, 3 deployment). */
export type MatrixStep = 1 | 2 | 3;

/** Expected accuracy of a model on the task, and where the figure comes from. */
export interface AccuracyFigure {
  /** In [0, 1]. */
  accuracy: number;
  /** False when the catalog has a measurement for the task family; true for every proxy or prior. */
  estimated: boolean;
  /** E.g. `measured on banking77 (source)` or `estimated: MMLU 0.82 as a general proxy`. */
  basis: string;
}

/** A feasible model, ranked. */
export interface RankedModel {
  /** 1 = best. */
  rank: number;
  id: string;
  provider: string;
  class: ModelClass;
  /** Where it would run. */
  deployment: Deployment;
  /** The steps of the matrix that favoured its class, e.g. `step 1: repetitive, domain-specific task favours slm`. */
  favouredBy: string[];
  /** Projected cost per request in USD; undefined when the catalog has no price (never shown as $0). */
  costPerRequestUsd: number | undefined;
  /** `costPerRequestUsd` x volume a day x 30; undefined without a volume or a price. */
  costPerMonthUsd: number | undefined;
  /** Expected time to the last token in ms (TTFT + (hidden reasoning + output tokens) / tokens per second). */
  latencyMs: number | undefined;
  accuracy: AccuracyFigure;
  /** Caveats, e.g. `train it on your labelled data first (rightsize train)`. */
  notes: string[];
}

/** A model that does not fit, with the constraint that excluded it. */
export interface ExcludedModel {
  id: string;
  provider: string;
  class: ModelClass;
  /** The step of the first constraint it fails. */
  step: MatrixStep;
  constraint: ConstraintName;
  /** Why, in words that say the figure and the limit. */
  reason: string;
  /** Other constraints it also fails. */
  alsoFails: ConstraintName[];
}

/** One requirement change. */
export interface RequirementChange {
  requirement: 'maxLatencyMs' | 'minAccuracy' | 'maxCostUsd';
  /** The CLI flag, e.g. `--max-cost-usd`. */
  flag: string;
  /** The request header, e.g. `x-rightsize-max-cost-usd`. */
  header: string;
  from: number;
  to: number;
}

/** A way to admit a model: the requirement changes it needs. */
export interface Relaxation {
  changes: RequirementChange[];
  /** The model the changes admit. */
  admits: string;
  /** E.g. `raise --max-cost-usd to 0.0042 to admit gpt-4o-mini`. */
  message: string;
}

/** The classes a step of the matrix favours, and why. */
export interface Favour {
  step: MatrixStep;
  classes: ModelClass[];
  /** Short name of what favoured them: `task`, `image input`, `latency budget`, `accuracy floor`, `cost ceiling`, `edge`. */
  label: string;
  reason: string;
}

export interface SelectionResult {
  profile: TaskProfile;
  requirements: Requirements;
  deployment: DeploymentProfile;
  favours: Favour[];
  /** Feasible models, best first. */
  ranked: RankedModel[];
  /** Ids of the feasible models that no other beats on cost, latency and accuracy at once. */
  paretoFrontier: string[];
  /** Every model that does not fit. */
  excluded: ExcludedModel[];
  /** What to relax: when nothing fits, the way out; otherwise the nearest misses. At most 5. */
  relaxations: Relaxation[];
  /** One line: the pick, or why nothing fits. */
  summary: string;
}
