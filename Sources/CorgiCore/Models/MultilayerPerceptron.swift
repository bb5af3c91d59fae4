import CorgiKernels

#if canImport(Glibc)
import Glibc
#endif

/// A fully connected neural network: `featureCount` inputs, hidden layers with one
/// activation, and an output layer of ``ModelKind`` `softmax` (classification, one
/// output per class) or `linear` (regression, one output). Optional standardization
/// (`(x - mean) / std` per feature, measured before training) is part of the model and
/// applied at predict time.
///
/// Parameters, flat: every layer's weight matrix (`out x in`, row-major) in layer order,
/// then every layer's biases; the weights are what L1/L2 penalize.
///
/// Contract: parameters float64; forward and backward exist in float64 (prediction, the
/// gradient checks) and float32 (training, see ``NetworkScalar``); both are matrix
/// products over the batch (OpenBLAS dgemm/sgemm, serial) and elementwise loops, in a
/// fixed order, so a run is reproducible bit for bit on one machine (another CPU may pick
/// another GEMM kernel and round differently); initialization is seeded (He normal for relu, Xavier uniform
/// for tanh and sigmoid; biases 0). Shapes are validated at construction (nil, never a
/// trap); a NaN input gives NaN scores (callers validate rows).
public struct MultilayerPerceptron: Equatable, Sendable {
    public enum Activation: UInt8, CaseIterable, Sendable {
        case relu = 0, tanh = 1, sigmoid = 2
        public var name: String {
            switch self {
            case .relu: return "relu"
            case .tanh: return "tanh"
            case .sigmoid: return "sigmoid"
            }
        }
        public init?(name: String) {
            guard let a = Activation.allCases.first(where: { $0.name == name }) else { return nil }
            self = a
        }
    }

    public let kind: ModelKind
    public let featureCount: Int
    public let hidden: [Int]
    public let activation: Activation
    public let classValues: [Double]
    /// Per feature: subtracted, then multiplied (1 / standard deviation; 1 when constant).
    public let inputShift: [Double]
    public let inputScale: [Double]
    public internal(set) var parameters: [Double]

    /// At most 16 hidden layers of at most 100,000 units.
    public static let maximumLayers = 16
    public static let maximumWidth = 100_000

    /// Layer widths, inputs to outputs.
    public let widths: [Int]
    /// Where each layer's weights and biases start in the flat parameters (computed once:
    /// forward and backward run per mini-batch).
    private let weightOffsets: [Int]
    private let biasOffsets: [Int]
    public var outputs: Int { kind == .softmax ? classValues.count : 1 }

    /// A seeded, initialized network; nil for an invalid shape (kind other than softmax or
    /// linear, no or too many layers, a width out of range, bad classes or standardization,
    /// too many parameters).
    public init?(kind: ModelKind, featureCount: Int, hidden: [Int], activation: Activation, classValues: [Double],
                 inputShift: [Double]? = nil, inputScale: [Double]? = nil, seed: UInt64) {
        guard let shape = MultilayerPerceptron(kind: kind, featureCount: featureCount, hidden: hidden,
                                               activation: activation, classValues: classValues,
                                               inputShift: inputShift, inputScale: inputScale, parameters: nil)
        else { return nil }
        self = shape
        var generator = Xoshiro256StarStar(seed: seed)
        var offset = 0
        let w = widths
        for layer in 0..<(w.count - 1) {
            let fanIn = Double(w[layer]), fanOut = Double(w[layer + 1])
            for _ in 0..<(w[layer] * w[layer + 1]) {
                switch activation {
                case .relu:
                    // Box-Muller from two uniforms in (0, 1].
                    let u1 = 1 - generator.nextUnitInterval(), u2 = generator.nextUnitInterval()
                    parameters[offset] = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) * (2 / fanIn).squareRoot()
                case .tanh, .sigmoid:
                    let limit = (6 / (fanIn + fanOut)).squareRoot()
                    parameters[offset] = (generator.nextUnitInterval() * 2 - 1) * limit
                }
                offset += 1
            }
        }
    }

    /// The parameters (weights and biases) of a network with layer `widths`, inputs to
    /// outputs, computed without allocating anything; nil when the count overflows or
    /// exceeds ``LinearModel/maximumWeights``. A decoder checks a claimed shape with it
    /// before it allocates that shape.
    public static func parameterCount(widths: [Int]) -> Int? {
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }) else { return nil }
        var count = 0
        for layer in 0..<(widths.count - 1) {
            let (inputs, overflowIn) = widths[layer].addingReportingOverflow(1)
            let (product, overflow) = inputs.multipliedReportingOverflow(by: widths[layer + 1])
            guard !overflowIn, !overflow, product <= LinearModel.maximumWeights - count else { return nil }
            count += product
        }
        return count
    }

    /// Rebuilds a network from stored parameters (deserialization); nil when they do not fit.
    init?(kind: ModelKind, featureCount: Int, hidden: [Int], activation: Activation, classValues: [Double],
          inputShift: [Double]?, inputScale: [Double]?, parameters: [Double]?) {
        guard kind == .softmax || kind == .linear, featureCount >= 1, featureCount <= LinearModel.maximumFeatures,
            !hidden.isEmpty, hidden.count <= MultilayerPerceptron.maximumLayers,
            hidden.allSatisfy({ $0 >= 1 && $0 <= MultilayerPerceptron.maximumWidth })
        else { return nil }
        if kind == .softmax {
            guard classValues.count >= 2, classValues.count <= LinearModel.maximumClasses,
                classValues.allSatisfy(\.isFinite), zip(classValues, classValues.dropFirst()).allSatisfy({ $0 < $1 })
            else { return nil }
        } else {
            guard classValues.isEmpty else { return nil }
        }
        let shift = inputShift ?? [Double](repeating: 0, count: featureCount)
        let scale = inputScale ?? [Double](repeating: 1, count: featureCount)
        guard shift.count == featureCount, scale.count == featureCount,
            shift.allSatisfy(\.isFinite), scale.allSatisfy({ $0.isFinite && $0 > 0 })
        else { return nil }
        let widths = [featureCount] + hidden + [kind == .softmax ? classValues.count : 1]
        guard let count = MultilayerPerceptron.parameterCount(widths: widths) else { return nil }
        if let parameters { guard parameters.count == count else { return nil } }
        var weightAt: [Int] = [], biasAt: [Int] = [], offset = 0
        for l in 0..<(widths.count - 1) { weightAt.append(offset); offset += widths[l] * widths[l + 1] }
        for l in 0..<(widths.count - 1) { biasAt.append(offset); offset += widths[l + 1] }
        self.widths = widths
        self.weightOffsets = weightAt
        self.biasOffsets = biasAt
        self.kind = kind
        self.featureCount = featureCount
        self.hidden = hidden
        self.activation = activation
        self.classValues = classValues
        self.inputShift = shift
        self.inputScale = scale
        self.parameters = parameters ?? [Double](repeating: 0, count: count)
    }

    /// The same network with another input standardization; nil when the arrays do not
    /// have one finite shift and one finite positive scale per feature.
    public func standardized(shift: [Double], scale: [Double]) -> MultilayerPerceptron? {
        MultilayerPerceptron(kind: kind, featureCount: featureCount, hidden: hidden, activation: activation,
                             classValues: classValues, inputShift: shift, inputScale: scale, parameters: parameters)
    }

    // MARK: - Layout


    /// The activation applied in place to `count` values (one switch, then a plain loop).
    private func activateAll<T: NetworkScalar>(_ values: UnsafeMutablePointer<T>, _ count: Int) {
        switch activation {
        case .relu:
            for i in 0..<count where !(values[i] > 0) { values[i] = 0 }
        case .tanh:
            T.tanh(values, count)
        case .sigmoid:
            T.sigmoid(values, count)
        }
    }

    /// `values[i] *= ` the activation's derivative at output `activations[i]`: one switch,
    /// then a flat loop the compiler vectorizes.
    private func multiplyBySlope<T: NetworkScalar>(_ values: UnsafeMutablePointer<T>,
                                                  activations a: UnsafePointer<T>, count: Int) {
        switch activation {
        case .relu:
            for i in 0..<count { values[i] *= a[i] > 0 ? 1 : 0 }
        case .tanh:
            for i in 0..<count { values[i] *= 1 - a[i] * a[i] }
        case .sigmoid:
            for i in 0..<count { values[i] *= a[i] * (1 - a[i]) }
        }
    }
}

extension MultilayerPerceptron: TrainableModel {
    public var parameterCount: Int { parameters.count }
    public var penalizedCount: Int {
        let w = widths
        return (0..<(w.count - 1)).reduce(0) { $0 + w[$1] * w[$1 + 1] }
    }
    public var flatParameters: [Double] { parameters }
    public var asTrainedModel: TrainedModel { .network(self) }

    public func replacingParameters(_ p: UnsafePointer<Double>) -> MultilayerPerceptron {
        var copy = self
        copy.parameters = (0..<parameters.count).map { p[$0] }
        return copy
    }

    /// The standardized inputs and every hidden layer's outputs, then two delta buffers.
    public func workspaceSize(rows: Int) -> Int {
        let activations = rows * (featureCount + hidden.reduce(0, +))
        return activations + 2 * rows * (widths.max() ?? 1)
    }

    public func forward(parameters p: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                        scores: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>) {
        forwardPass(parameters: p, inputs: inputs, rows: rows, scores: scores, workspace: workspace)
    }

    public func backward(parameters p: UnsafePointer<Double>, inputs: UnsafePointer<Double>, rows: Int,
                         dScores: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>,
                         workspace: UnsafeMutablePointer<Double>) {
        backwardPass(parameters: p, inputs: inputs, rows: rows, dScores: dScores, gradient: gradient,
                     workspace: workspace)
    }

    /// Networks train in float32 (see ``TrainableModel/trainsInFloat32``).
    public var trainsInFloat32: Bool { true }

    public func forward(parameters p: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                        scores: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>) {
        forwardPass(parameters: p, inputs: inputs, rows: rows, scores: scores, workspace: workspace)
    }

    public func backward(parameters p: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                         dScores: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                         workspace: UnsafeMutablePointer<Float>) {
        backwardPass(parameters: p, inputs: inputs, rows: rows, dScores: dScores, gradient: gradient,
                     workspace: workspace)
    }

    func forwardPass<T: NetworkScalar>(parameters p: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int,
                                       scores: UnsafeMutablePointer<T>, workspace: UnsafeMutablePointer<T>) {
        let w = widths, weightAt = weightOffsets, biasAt = biasOffsets, n = featureCount
        // Layer 0's input: standardized rows.
        inputShift.withUnsafeBufferPointer { shift in
            inputScale.withUnsafeBufferPointer { scale in
                for r in 0..<rows {
                    let x = inputs + r * n, out = workspace + r * n
                    for i in 0..<n { out[i] = (x[i] - T(shift[i])) * T(scale[i]) }
                }
            }
        }
        var input = workspace, inputOffset = rows * n
        for l in 0..<(w.count - 1) {
            let fanIn = w[l], fanOut = w[l + 1], last = l == w.count - 2
            let out = last ? scores : workspace + inputOffset
            let weights = p + weightAt[l], biases = p + biasAt[l]
            // out (rows x fanOut) = input (rows x fanIn) * weights^T, then bias and activation.
            // The biases first, then the product added to them (beta 1: OpenBLAS neither
            // clears out nor makes a second pass over it).
            for r in 0..<rows {
                let row = out + r * fanOut
                for o in 0..<fanOut { row[o] = biases[o] }
            }
            T.gemm(transposeA: false, transposeB: true, m: rows, n: fanOut, k: fanIn, alpha: 1, a: input, lda: fanIn,
                   b: weights, ldb: fanIn, beta: 1, c: out, ldc: fanOut)
            let count = rows * fanOut
            if !last { activateAll(out, count) }
            if !last { input = out; inputOffset += rows * fanOut }
        }
    }

    func backwardPass<T: NetworkScalar>(parameters p: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int,
                                        dScores: UnsafePointer<T>, gradient: UnsafeMutablePointer<T>,
                                        workspace: UnsafeMutablePointer<T>) {
        let w = widths, weightAt = weightOffsets, biasAt = biasOffsets, layers = w.count - 1
        // Where each layer's input activations start in the workspace.
        var activationAt: [Int] = [0], offset = rows * featureCount
        for h in hidden { activationAt.append(offset); offset += rows * h }
        let widest = w.max() ?? 1
        var delta = workspace + offset, previous = workspace + offset + rows * widest
        for r in 0..<rows { for o in 0..<w[layers] { delta[r * w[layers] + o] = dScores[r * w[layers] + o] } }
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let fanIn = w[l], fanOut = w[l + 1]
            let a = workspace + activationAt[l]
            let gW = gradient + weightAt[l], gB = gradient + biasAt[l], weights = p + weightAt[l]
            // gW (fanOut x fanIn) += delta^T (fanOut x rows) * a (rows x fanIn); gB += column sums.
            T.gemm(transposeA: true, transposeB: false, m: fanOut, n: fanIn, k: rows, alpha: 1, a: delta, lda: fanOut,
                   b: a, ldb: fanIn, beta: 1, c: gW, ldc: fanIn)
            for r in 0..<rows {
                let d = delta + r * fanOut
                for o in 0..<fanOut { gB[o] += d[o] }
            }
            guard l > 0 else { break }
            // previous (rows x fanIn) = delta (rows x fanOut) * weights (fanOut x fanIn), times the slope.
            T.gemm(transposeA: false, transposeB: false, m: rows, n: fanIn, k: fanOut, alpha: 1, a: delta,
                   lda: fanOut, b: weights, ldb: fanIn, beta: 0, c: previous, ldc: fanIn)
            multiplyBySlope(previous, activations: a, count: rows * fanIn)
            swap(&delta, &previous)
        }
    }
}

extension MultilayerPerceptron: ScoringModel {
    /// The network's outputs for one row (a forward pass with its own workspace).
    public func scores(_ features: UnsafeBufferPointer<Double>) -> [Double]? {
        guard features.count == featureCount, let x = features.baseAddress else { return nil }
        var z = [Double](repeating: 0, count: outputs)
        var workspace = [Double](repeating: 0, count: workspaceSize(rows: 1))
        parameters.withUnsafeBufferPointer { p in
            z.withUnsafeMutableBufferPointer { out in
                workspace.withUnsafeMutableBufferPointer { ws in
                    forward(parameters: p.baseAddress!, inputs: x, rows: 1, scores: out.baseAddress!,
                            workspace: ws.baseAddress!)
                }
            }
        }
        return z
    }
}
