#if canImport(Glibc)
import Glibc
#endif

/// SGD with momentum (the PyTorch form): `v = momentum * v + g`, `p -= lr * v`, where `g`
/// is the mean gradient plus `l2 * w` on the weights (coupled L2); an L1 penalty is a
/// proximal step afterwards: `w = sign(w) * max(0, |w| - lr * l1)`.
final class MomentumOptimizer: Optimizer {
    let kind = OptimizerKind.momentum
    private let momentum: Double
    private let l2: Double
    private let l1: Double
    private let penalizedCount: Int
    private var velocity: [Double]

    init?(parameters: TrainingParameters, parameterCount: Int, penalizedCount: Int, state: OptimizerState?) {
        guard penalizedCount >= 0, penalizedCount <= parameterCount else { return nil }
        let saved = state?.first ?? []
        guard saved.isEmpty || saved.count == parameterCount else { return nil }
        momentum = parameters.momentum
        l2 = parameters.l2
        l1 = parameters.l1
        self.penalizedCount = penalizedCount
        velocity = saved.isEmpty ? [Double](repeating: 0, count: parameterCount) : saved
    }

    var state: OptimizerState { OptimizerState(steps: 0, l1Total: 0, first: velocity, second: []) }

    func step(parameters w: UnsafeMutablePointer<Double>, gradientSum g: UnsafePointer<Double>, rows: Int,
              learningRate lr: Double) {
        guard rows > 0 else { return }
        let inverse = 1 / Double(rows), penalized = penalizedCount, mu = momentum, l2 = l2
        velocity.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count {
                var gradient = g[i] * inverse
                if i < penalized { gradient += l2 * w[i] }
                v[i] = mu * v[i] + gradient
                w[i] -= lr * v[i]
            }
        }
        applyProximalL1(w, count: penalizedCount, threshold: lr * l1)
    }
}

/// `w = sign(w) * max(0, |w| - threshold)` for the first `count` parameters (nothing when
/// the threshold is 0).
func applyProximalL1(_ w: UnsafeMutablePointer<Double>, count: Int, threshold: Double) {
    guard threshold > 0 else { return }
    for i in 0..<count {
        if w[i] > threshold { w[i] -= threshold } else if w[i] < -threshold { w[i] += threshold } else { w[i] = 0 }
    }
}
