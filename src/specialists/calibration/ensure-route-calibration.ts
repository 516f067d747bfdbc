import { readSpecialistMetadata } from '../registry/load-specialist.ts';
import {
  type CalibrateRouteOptions,
  type CalibrateRouteResult,
  calibrateRoute,
  routeCalibrationSource,
} from './calibrate-route.ts';

/** What {@link ensureRouteCalibration} did. */
export type EnsureRouteCalibrationResult =
  | { status: 'current' }
  | { status: 'calibrated'; result: CalibrateRouteResult }
  | { status: 'no-threshold'; result: CalibrateRouteResult };

/**
 * Calibrates a route's specialist tiers together on their shared validation split (see
 * {@link calibrateRoute} with `split: 'validation'`), unless every tier already holds a threshold
 * from this route's calibration at the same target and confidence, on the training it has now.
 * Used at gateway start, after the specialists are trained (config `specialists.calibrateRoutes`).
 * @param options.dataPath the file the specialists were trained on.
 * @throws RightsizeError as {@link calibrateRoute} does.
 */
export async function ensureRouteCalibration(
  options: Omit<CalibrateRouteOptions, 'split' | 'save'>,
): Promise<EnsureRouteCalibrationResult> {
  const confidence = options.confidence ?? 0.95;
  if (routeCalibrationIsCurrent({ ...options, confidence })) return { status: 'current' };
  const result = await calibrateRoute({ ...options, confidence, split: 'validation', save: true });
  return result.stored.length > 0 ? { status: 'calibrated', result } : { status: 'no-threshold', result };
}

/**
 * Whether every tier holds a threshold from this route's calibration at this target and confidence,
 * made after its current training (false when a specialist is missing or unreadable).
 */
export function routeCalibrationIsCurrent(
  options: Pick<CalibrateRouteOptions, 'registryDir' | 'route' | 'specialists' | 'targetAccuracy' | 'confidence'>,
): boolean {
  const confidence = options.confidence ?? 0.95;
  return options.specialists.every((name) => {
    let metadata: ReturnType<typeof readSpecialistMetadata>;
    try {
      metadata = readSpecialistMetadata(options.registryDir, name);
    } catch {
      return false;
    }
    const threshold = metadata.threshold;
    if (threshold === undefined) return false;
    return (
      threshold.source.startsWith(`${routeCalibrationSource(options.route)}:`) &&
      threshold.targetAccuracy === options.targetAccuracy &&
      threshold.confidence === confidence &&
      // A retraining writes a new createdAt after the calibration it replaces.
      threshold.calibratedAt >= metadata.createdAt
    );
  });
}
