// corgi-bench: the training step alone, without PostgreSQL: rows per second of the Swift
// trainer (tuple buffer, shuffle, learner) on generated rows already in memory.
// Usage: swift run -c release corgi-bench [rows] [model]   (bench/mlp.py runs it; model:
// the beginning of a line's name, e.g. "mlp [32]", to time that one alone)
import CorgiCore

#if canImport(Glibc)
import Glibc
#endif

func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let rows = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
let features = 28
var generator = Xoshiro256StarStar(seed: 7)
var data = [Double](repeating: 0, count: rows * features)
var labels = [Double](repeating: 0, count: rows)
for r in 0..<rows {
    var z = 0.0
    for j in 0..<features {
        let x = generator.nextUnitInterval() * 2 - 1
        data[r * features + j] = x
        z += x * (j % 2 == 0 ? 1 : -1) / Double(j + 1)
    }
    labels[r] = z > 0 ? 1 : 0
}

/// One epoch of `family` with `params` over the rows, in arrival order through a
/// shuffling tuple buffer of 10 % of the rows; returns (seconds, rows per second).
@MainActor
func epoch(_ family: ModelFamily, _ params: String, concurrent: Bool, models: Int = 1) -> (Double, Double) {
    // `models` > 1: a fused visit of that many models (learning rates 0.01, 0.02, ...).
    let starts = (1...models).compactMap { m -> TrainerSnapshot? in
        let rate = models > 1 ? ", learning_rate=\(Double(m) / 100)" : ""
        guard case .success(let p) = TrainingParameters.parse(params + rate, family: family) else { return nil }
        return TrainerSnapshot.initial(family: family, featureCount: features,
                                       classValues: family.objective == .softmax ? [0, 1] : [],
                                       parameters: p, bufferCapacity: rows / 10, bufferMode: .shuffle)
    }
    guard starts.count == models, case .success(let trainer) = SGDTrainer.make(fusing: starts, concurrent: concurrent)
    else { print("cannot make a \(family.name) trainer"); exit(1) }
    let t0 = seconds()
    // Plain pointers in the loop: global arrays indexed per row would cost exclusivity
    // checks that no database path pays, and starve the worker thread.
    data.withUnsafeBufferPointer { all in
        labels.withUnsafeBufferPointer { y in
            guard let base = all.baseAddress else { return }
            for r in 0..<rows {
                let row = UnsafeBufferPointer(start: base + r * features, count: features)
                if case .success(.bufferFull) = trainer.add(features: row, label: y[r]) {
                    while trainer.advance() {}
                }
            }
        }
    }
    trainer.finishPass()
    while trainer.advance() {}
    let elapsed = seconds() - t0
    trainer.shutdown()
    return (elapsed, Double(rows) / elapsed)
}

let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : ""
print("rows: \(rows) x \(features), one epoch, tuple buffer of 10 %, no database")
for (name, family, params) in [
    ("logistic (sgd, per row)", ModelFamily.logistic, ""),
    ("logistic x8 fused (sgd, per row)", ModelFamily.logistic, ""),
    ("mlp [32] sigmoid, adam, batch 64", .mlp, "hidden_layers=[32], activation=sigmoid, batch_size=64"),
    ("mlp [64] relu, adam, batch 64", .mlp, "hidden_layers=[64], activation=relu, batch_size=64"),
] where name.hasPrefix(only) {
    for concurrent in [false, true] {
        let (s, rate) = epoch(family, params.isEmpty ? "l2=0" : params, concurrent: concurrent,
                              models: name.contains("x8") ? 8 : 1)
        print("\(name), \(concurrent ? "worker thread" : "inline"): \(String(Int(s * 1000))) ms, \(Int(rate)) rows/s")
    }
}
