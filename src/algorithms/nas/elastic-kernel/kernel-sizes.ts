/**
 * The kernel sizes a convolution can take under BootstrapNAS's elastic kernel (NNCF's
 * ElasticKernelConv2DOp.generate_kernel_size_list): from the model's (odd) kernel size down in steps of
 * 2 while the size stays ≥ max(K − 2·padding, 3) — so the output keeps its shape by padding less —
 * at most `max_num_kernels` of them (−1: no limit). A 1×1 kernel is not elastic.
 */
export class ElasticKernelError extends Error {
  override name = 'ElasticKernelError';
}

export function elasticKernelSizes(maxKernel: number, padding: number, maxNumKernels = -1): number[] {
  if (!Number.isInteger(maxKernel) || maxKernel < 1 || maxKernel % 2 === 0)
    throw new ElasticKernelError(`elastic kernel: the kernel size must be odd, got ${maxKernel}`);
  if (maxKernel === 1) return [1];
  const sizes: number[] = [];
  for (let k = maxKernel; k >= Math.max(maxKernel - 2 * padding, 3); k -= 2) {
    sizes.push(k);
    if (sizes.length === maxNumKernels) break;
  }
  return sizes;
}
