/**
 * Choosing one subnet of a Pareto front after the search (issue 16 item 4; NNCF's own choice is
 * select.ts): by its index on the front, or the most accurate subnet within a MACs budget — absolute
 * (`maxMacs`) or a fraction of the supernet's MACs (`maxMacsRatio`). Ties in top-1 go to the fewer
 * MACs, then to the lower index, so the choice is a function of the front alone.
 */
export class SubnetChoiceError extends Error {
  override name = 'SubnetChoiceError';
}

export type SubnetChoice = { index: number } | { maxMacs: number } | { maxMacsRatio: number };

export interface FrontPoint {
  macs: number;
  top1: number;
}

/** A budget's MACs limit: `maxMacs` as is, or `maxMacsRatio` × the supernet's MACs. */
export function macsBudget(choice: { maxMacs: number } | { maxMacsRatio: number }, supernetMacs: number): number {
  return 'maxMacs' in choice ? choice.maxMacs : choice.maxMacsRatio * supernetMacs;
}

/** Checks a choice's number (the CLI turns the error into a usage error naming its flag). */
export function checkSubnetChoice(choice: SubnetChoice): void {
  if ('index' in choice && !(Number.isInteger(choice.index) && choice.index >= 0)) throw new SubnetChoiceError(`index must be an integer ≥ 0, got ${choice.index}`);
  if ('maxMacs' in choice && !(Number.isFinite(choice.maxMacs) && choice.maxMacs > 0)) throw new SubnetChoiceError(`max MACs must be a positive number, got ${choice.maxMacs}`);
  if ('maxMacsRatio' in choice && !(choice.maxMacsRatio > 0 && choice.maxMacsRatio <= 1)) throw new SubnetChoiceError(`max MACs ratio must be in (0, 1], got ${choice.maxMacsRatio}`);
}

/** The index on `front` of the chosen subnet; errors name what the front offers. */
export function pickFrontSubnet(front: readonly FrontPoint[], supernetMacs: number, choice: SubnetChoice): number {
  checkSubnetChoice(choice);
  if (front.length === 0) throw new SubnetChoiceError('the front is empty');
  if ('index' in choice) {
    if (choice.index >= front.length) throw new SubnetChoiceError(`index ${choice.index} is out of range: the front has ${front.length} subnet(s), indices 0..${front.length - 1}`);
    return choice.index;
  }
  const limit = macsBudget(choice, supernetMacs);
  let best = -1;
  front.forEach((p, i) => {
    if (p.macs > limit) return;
    if (best < 0 || p.top1 > front[best].top1 || (p.top1 === front[best].top1 && p.macs < front[best].macs)) best = i;
  });
  if (best < 0) {
    const smallest = front.reduce((m, p) => (p.macs < m.macs ? p : m));
    const what = 'maxMacs' in choice ? `${choice.maxMacs} MACs` : `${choice.maxMacsRatio} × the supernet's ${supernetMacs} MACs = ${Math.floor(limit)} MACs`;
    throw new SubnetChoiceError(
      `no subnet of the front is within ${what}: the smallest has ${smallest.macs} MACs (${(smallest.macs / supernetMacs).toFixed(4)} × the supernet), top-1 ${smallest.top1.toFixed(2)}%`,
    );
  }
  return best;
}
