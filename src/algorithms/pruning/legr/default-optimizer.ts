/** NNCF LeGREvolutionEnv's optimizer when LeGRInitArgs gives none: partial(optim.SGD, lr=1e-2, momentum=0.9, weight_decay=5e-4, nesterov=True). */
export interface LegrOptimizerSpec {
  readonly type: 'sgd';
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
}

export const LEGR_DEFAULT_OPTIMIZER: LegrOptimizerSpec = Object.freeze({ type: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true });
