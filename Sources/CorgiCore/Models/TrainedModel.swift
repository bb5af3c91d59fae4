/// The model a training state holds: the linear family or a network. Predict, evaluate
/// and serialization go through it; training picks the learner that fits it.
public enum TrainedModel: ScoringModel, Equatable, Sendable {
    case linear(LinearModel)
    case network(MultilayerPerceptron)

    public var kind: ModelKind {
        switch self {
        case .linear(let m): return m.kind
        case .network(let m): return m.kind
        }
    }
    public var featureCount: Int {
        switch self {
        case .linear(let m): return m.featureCount
        case .network(let m): return m.featureCount
        }
    }
    public var outputs: Int {
        switch self {
        case .linear(let m): return m.outputs
        case .network(let m): return m.outputs
        }
    }
    public var classValues: [Double] {
        switch self {
        case .linear(let m): return m.classValues
        case .network(let m): return m.classValues
        }
    }
    /// Whether the intercepts (biases) are trained: networks always have biases.
    public var hasIntercept: Bool {
        switch self {
        case .linear(let m): return m.hasIntercept
        case .network: return true
        }
    }
    public var flatParameters: [Double] {
        switch self {
        case .linear(let m): return m.flatParameters
        case .network(let m): return m.flatParameters
        }
    }
    public var parameterCount: Int {
        switch self {
        case .linear(let m): return m.parameterCount
        case .network(let m): return m.parameterCount
        }
    }
    /// svr's epsilon, which its loss needs (the linear model keeps it; 0 for a network).
    /// Without this forward the protocol's default (0) answered for every model, so an
    /// evaluation scored svr rows with a tube of width 0.
    public var lossMargin: Double {
        switch self {
        case .linear(let m): return m.lossMargin
        case .network: return 0
        }
    }
    /// The linear model, or nil for a network (coefficients exist only for the former).
    public var linearModel: LinearModel? {
        if case .linear(let m) = self { return m }
        return nil
    }
    /// The linear coefficients (outputs x features) and intercepts; empty for a network.
    public var weights: [Double] { linearModel?.weights ?? [] }
    public var intercepts: [Double] { linearModel?.intercepts ?? [] }
    /// The network, or nil.
    public var network: MultilayerPerceptron? {
        if case .network(let m) = self { return m }
        return nil
    }
    /// Layer widths, inputs to outputs (a linear model is `[features, outputs]`).
    public var layers: [Int] {
        switch self {
        case .linear(let m): return [m.featureCount, m.outputs]
        case .network(let m): return m.widths
        }
    }

    public func scores(_ features: UnsafeBufferPointer<Double>) -> [Double]? {
        switch self {
        case .linear(let m): return m.scores(features)
        case .network(let m): return m.scores(features)
        }
    }

    /// The same model with other flat parameters (nil when the count differs).
    public func replacingParameters(_ flat: [Double]) -> TrainedModel? {
        guard flat.count == parameterCount else { return nil }
        return flat.withUnsafeBufferPointer { p -> TrainedModel? in
            guard let base = p.baseAddress else { return nil }
            switch self {
            case .linear(let m): return .linear(m.replacingParameters(base))
            case .network(let m): return .network(m.replacingParameters(base))
            }
        }
    }
}
