/// Plain SGD on a dense gradient: `w *= 1 - lr*l2` on the weights, then
/// `p -= (lr / rows) * gradientSum` on every parameter, then Tsuruoka et al.'s cumulative
/// L1 penalty on every weight. The same rule ``LinearLearner`` applies row by row for the
/// linear family (where the L1 penalty reaches only the coordinates a row has); this
/// form serves every other model.
final class SGDOptimizer: Optimizer {
    let kind = OptimizerKind.sgd
    private let l2: Double
    private let l1: Double
    private let parameterCount: Int
    private let penalizedCount: Int
    private var l1Total: Double
    private var l1Applied: [Double]

    init?(parameters: TrainingParameters, parameterCount: Int, penalizedCount: Int, state: OptimizerState?) {
        guard penalizedCount >= 0, penalizedCount <= parameterCount else { return nil }
        l2 = parameters.l2
        l1 = parameters.l1
        self.parameterCount = parameterCount
        self.penalizedCount = penalizedCount
        l1Total = state?.l1Total ?? 0
        let applied = state?.first ?? []
        if parameters.l1 > 0 {
            guard applied.isEmpty || applied.count == penalizedCount else { return nil }
            l1Applied = applied.isEmpty ? [Double](repeating: 0, count: penalizedCount) : applied
        } else {
            l1Applied = []
        }
    }

    var state: OptimizerState { OptimizerState(steps: 0, l1Total: l1Total, first: l1Applied, second: []) }

    func step(parameters w: UnsafeMutablePointer<Double>, gradientSum g: UnsafePointer<Double>, rows: Int,
              learningRate lr: Double) {
        guard rows > 0 else { return }
        let scale = lr / Double(rows)
        if l2 > 0 {
            let decay = 1 - lr * l2
            for i in 0..<penalizedCount { w[i] *= decay }
        }
        for i in 0..<parameterCount { w[i] -= scale * g[i] }
        guard l1 > 0, l1Applied.count == penalizedCount else { return }
        l1Total += lr * l1
        let total = l1Total
        l1Applied.withUnsafeMutableBufferPointer { applied in
            for j in 0..<penalizedCount {
                let before = w[j]
                if before > 0 {
                    w[j] = max(0, before - (total + applied[j]))
                } else if before < 0 {
                    w[j] = min(0, before + (total - applied[j]))
                }
                applied[j] += w[j] - before
            }
        }
    }
}
