import CorgiKernels

#if canImport(Glibc)
import Glibc
#endif

/// Adam (Kingma and Ba, 2015, algorithm 1): with `g` the mean gradient plus `l2 * w` on
/// the weights (coupled L2, as scikit-learn's MLP `alpha`),
/// `t += 1; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;`
/// `p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)` (computed as
/// `(lr / (1 - b1^t)) m / (sqrt(v (1 / (1 - b2^t))) + epsilon)`); an L1 penalty is a
/// proximal step afterwards. The moments and `t` are saved in the state, so a model
/// continues exactly after a hop between segments or SQL calls.
final class AdamOptimizer: Optimizer {
    let kind = OptimizerKind.adam
    private let beta1: Double
    private let beta2: Double
    private let epsilon: Double
    private let l2: Double
    private let l1: Double
    private let penalizedCount: Int
    private var steps: Int64
    private var first: [Double]
    private var second: [Double]

    init?(parameters: TrainingParameters, parameterCount: Int, penalizedCount: Int, state: OptimizerState?) {
        guard penalizedCount >= 0, penalizedCount <= parameterCount else { return nil }
        let m = state?.first ?? [], v = state?.second ?? []
        guard m.count == v.count, m.isEmpty || m.count == parameterCount else { return nil }
        let steps = state?.steps ?? 0
        guard steps >= 0, steps <= OptimizerState.maximumSteps else { return nil }
        beta1 = parameters.beta1
        beta2 = parameters.beta2
        epsilon = parameters.epsilon
        l2 = parameters.l2
        l1 = parameters.l1
        self.penalizedCount = penalizedCount
        self.steps = steps
        first = m.isEmpty ? [Double](repeating: 0, count: parameterCount) : m
        second = v.isEmpty ? [Double](repeating: 0, count: parameterCount) : v
    }

    var state: OptimizerState { OptimizerState(steps: steps, l1Total: 0, first: first, second: second) }

    func step(parameters w: UnsafeMutablePointer<Double>, gradientSum g: UnsafePointer<Double>, rows: Int,
              learningRate lr: Double) {
        guard rows > 0, steps < OptimizerState.maximumSteps else { return }
        steps += 1
        let t = Double(steps)
        let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
        let inverse = 1 / Double(rows), penalized = penalizedCount
        let b1 = beta1, b2 = beta2, eps = epsilon, l2 = l2
        // The loop is corgi_adam_step (CorgiKernels): the rule above, element-wise, four
        // lanes wide where the CPU allows, the same bits on every CPU.
        first.withUnsafeMutableBufferPointer { m in
            second.withUnsafeMutableBufferPointer { v in
                guard let mb = m.baseAddress, let vb = v.baseAddress else { return }
                corgi_adam_step(w, g, mb, vb, m.count, penalized, inverse, l2, b1, b2, lr, correction1,
                                correction2, eps)
            }
        }
        applyProximalL1(w, count: penalizedCount, threshold: lr * l1)
    }
}
