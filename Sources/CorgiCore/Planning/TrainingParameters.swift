/// The `params` string of `corgi.train` / `corgi.sgd_state`: `'key=value, key=value'`.
///
/// Keys are case-insensitive and may come in any order; a repeated key is an error
/// (MADlib lets the last one win silently, which hides typos). Unknown keys and
/// out-of-range values are errors that name the key and value and list what is valid.
/// ``normalized`` writes every key with its effective value, defaults included, in a
/// fixed order, so a summary table records exactly what ran.
public struct TrainingParameters: Equatable, Sendable {
    public var learningRate = 0.1
    public var decay = 0.95
    public var batchSize = 1
    public var l2 = 0.0
    public var l1 = 0.0
    public var intercept = true
    public var bufferFraction = 0.1
    public var blockMB = 10.0
    public var maxBufferMB = 1024.0
    /// Small data shuffled fully: when a table's (a group's) rows fit in this many MB of
    /// tuple buffer (two buffers, as `max_buffer_mb` counts them, and within it), the
    /// buffer holds all of them and each epoch is a full shuffle, whatever
    /// `buffer_fraction` says (CorgiPile's partial buffer exists because a table does not
    /// fit in memory; when it does, the full shuffle costs nothing more). 0: off. Applied
    /// when a state is made (``ShuffleMode/bufferRows(usableRows:bufferFraction:featureCount:fullShuffleMB:maxBufferMB:)``);
    /// not part of a stored state.
    public var fullShuffleMB = 64.0
    public var seed: Int64 = 42
    /// Iterate averaging (Polyak-Ruppert, as scikit-learn's `average=True`): the model
    /// an epoch ends with is the mean of every SGD iterate of that epoch; training goes
    /// on from the last iterate. On by default: it removes the noise of a large step and
    /// the pull of the last buffer's rows, at one extra pass over the weights per update.
    public var average = true
    /// The update rule; see ``OptimizerKind`` (its default learning rate applies when
    /// `learning_rate` is not given).
    public var optimizer = OptimizerKind.sgd
    /// Momentum's velocity decay (optimizer=momentum).
    public var momentum = 0.9
    /// Adam's moment decays and denominator guard (optimizer=adam).
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Networks only: hidden layer widths, their activation, and whether inputs are
    /// standardized (mean and standard deviation measured in one extra pass).
    public var hiddenLayers = [100]
    public var activation = MultilayerPerceptron.Activation.relu
    public var standardize = false
    /// Another model's `standardize`, given in the params: it applies to feature column
    /// lists (their numbers standardized by default) and is written out when given.
    public var standardizeGiven = false
    /// Whether these are a network's parameters (the network keys are written out).
    public var isNetwork = false
    /// svr's epsilon: residuals within it cost nothing (MADlib's `svm_regression`
    /// default, 0.01, in the label's units). Written out (``normalized``) and stored for
    /// svr models only (``isSVR``).
    public var svrEpsilon = 0.01
    public var isSVR = false
    /// Classifiers of the linear family: each class's weight in the loss (and its
    /// gradient), in class order (binary: negative, then positive; softmax: the sorted
    /// classes), as scikit-learn's `class_weight` and MADlib's svm `class_weight`; nil: 1
    /// each. Stored in the model (its replay weighs the same).
    public var classWeights: [Double]?
    /// At most this many class weights (softmax's class limit).
    public static let maximumClassWeights = 1_000
    /// A table name, for per-epoch validation metrics; empty when not set.
    public var validationTable = ""
    /// Model hopping (0: off): each epoch visits the table's blocks as `segments`
    /// segments (``SegmentPlan``) in the order ``ModelHopSchedule`` gives a model of offset
    /// `segmentOffset`, both drawn from `segmentSeed` (the run's `seed` when not given).
    /// `corgi.fit_multiple` sets them for every config, so a config's stored params
    /// replay it alone with `corgi.train`. Not part of a stored state.
    public var segments = 0
    public var segmentOffset = 0
    public var segmentSeed: Int64?
    /// Early stopping (nil: off): a model stops when its validation metric has not
    /// improved by more than `tolerance` for `patience` epochs in a row (scikit-learn's
    /// `n_iter_no_change` and `tol`), and the model written is its best epoch's. Needs a
    /// validation table; not part of a stored state (the epoch loop applies it).
    public var patience: Int?
    public var tolerance = 1e-4
    /// How many parallel workers `corgi.fit_multiple` asks for (nil: as many as
    /// `max_parallel_workers` and `corgi.max_workers` allow). The models do not depend on
    /// it, so ``normalized`` leaves it out.
    public var workers: Int?
    /// How many configs of one fusion class `corgi.fit_multiple` trains in one visit of a
    /// segment, sharing its read (``FusedVisitPlan``; nil: the default). A call key, as
    /// `workers`: it is not part of a model's normalized params.
    public var configsPerVisit: Int?

    /// How `corgi.train` fits the model: `sgd` (nil, the default), or an exact solver,
    /// `exact` (linear: least squares, ``NormalEquations``) or `irls` (logistic:
    /// ``LogisticIRLS``). A call key, as `workers`: not part of a model's normalized
    /// params (the summary's training_path says which solver made a model).
    public var solver: String?

    /// Feature columns (a list or `'*'`): what a NULL in a number or boolean column does,
    /// `skip` (nil, the default: the row is skipped and counted, as MADlib does) or
    /// `impute` (the column's training mean, kept in the model's feature list and applied
    /// at predict time); and at most how many levels of a text column are one-hot encoded
    /// (the most frequent; the rest share "other"; nil: 100). Call keys: the model's
    /// feature list (the summary's independent_varname) records what they decided.
    public var nulls: String?
    public var maxLevels: Int?
    /// Feature columns (integers, or text) one-hot encoded as categories although their
    /// type would not make them one: `categorical=[store_id, zip]`. A call key.
    public var categorical: [String]?

    public init() {}

    /// The learning rate of epoch `epoch` (0-based): `learning_rate * decay^epoch`.
    /// `decay^epoch` is computed by squaring: O(log epoch) multiplications, so an epoch
    /// count read from any state (up to 2^32) costs microseconds. Deterministic.
    public func learningRate(epoch: Int) -> Double {
        var power = 1.0, base = decay, exponent = max(0, epoch)
        while exponent > 0 {
            if exponent & 1 == 1 { power *= base }
            base *= base
            exponent >>= 1
        }
        return learningRate * power
    }

    /// The keys, in the order ``normalized`` writes them.
    public static let keys = [
        "learning_rate", "decay", "batch_size", "l2", "l1", "intercept",
        "buffer_fraction", "block_mb", "max_buffer_mb", "full_shuffle_mb", "seed", "average", "optimizer",
        "momentum", "beta1", "beta2", "epsilon", "hidden_layers", "activation", "standardize", "segments", "segment_offset", "segment_seed",
        "patience", "tolerance", "workers", "validation_table", "configs_per_visit", "solver",
        "nulls", "max_levels", "categorical", "svr_epsilon", "class_weight",
    ]

    /// A rejected parameter string: what is wrong, and what would be valid.
    public struct Failure: Error, Equatable, Sendable {
        public let message: String
        public let hint: String
    }

    /// Parses `text` for a model of `family`; an empty or all-blank string gives the
    /// family's defaults (networks: optimizer=adam, batch_size=64, decay=1 and the network keys;
    /// other models refuse the network keys). Averaging stays on for networks too: the
    /// mean of an epoch's iterates (stochastic weight averaging) measured 0.993 against
    /// 0.937 for the last iterate on label-sorted XOR (test/sql/mlp.sql).
    public static func parse(_ text: String, family: ModelFamily = .logistic) -> Result<TrainingParameters, Failure> {
        var parameters = TrainingParameters()
        var seen = Set<String>()
        for item in splitItems(text) {
            let pair = trimmed(item)
            if pair.isEmpty {
                if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) { continue }
                return .failure(Failure(message: "empty parameter in \"\(text)\"",
                                        hint: "Write parameters as 'key=value, key=value'."))
            }
            guard let equals = pair.firstIndex(of: "=") else {
                return .failure(Failure(message: "parameter \"\(pair)\" has no value",
                                        hint: "Write parameters as 'key=value, key=value'."))
            }
            let key = trimmed(pair[..<equals]).lowercased()
            let value = trimmed(pair[pair.index(after: equals)...])
            guard keys.contains(key) else {
                return .failure(Failure(message: "unknown parameter \"\(key)\"",
                                        hint: "Valid parameters: \(keys.joined(separator: ", "))."))
            }
            guard seen.insert(key).inserted else {
                return .failure(Failure(message: "parameter \"\(key)\" is given twice",
                                        hint: "Give each parameter once."))
            }
            if let failure = parameters.set(key, value) { return .failure(failure) }
        }
        // An optimizer's own settings only make sense with it.
        let owners: [(String, OptimizerKind)] = [("momentum", .momentum), ("beta1", .adam), ("beta2", .adam), ("epsilon", .adam)]
        for (key, owner) in owners where seen.contains(key) && parameters.optimizer != owner {
            return .failure(Failure(message: "parameter \"\(key)\" applies to optimizer=\(owner.name) only",
                                    hint: "Add optimizer=\(owner.name), or leave \(key) out."))
        }
        // standardize: a network's (it standardizes its inputs), or a feature list's (the
        // list keeps each number's center and scale; written out when given).
        let networkKeys = ["hidden_layers", "activation"]
        if !family.isNetwork && seen.contains("standardize") { parameters.standardizeGiven = true }
        if family.isNetwork {
            if !seen.contains("optimizer") { parameters.optimizer = .adam }
            if !seen.contains("batch_size") { parameters.batchSize = 64 }
            // A constant learning rate, as scikit-learn's and Keras's Adam: measured against
            // MLPClassifier's defaults on breast_cancer, digits, wine and iris (label-sorted,
            // bench/mlp_defaults.py), decay=0.95 per epoch trailed by up to 21 points after
            // 100-200 epochs (the step had shrunk ~1000-fold); decay=1 matches or beats it on all four.
            if !seen.contains("decay") { parameters.decay = 1 }
        } else if let key = networkKeys.first(where: seen.contains) {
            return .failure(Failure(message: "parameter \"\(key)\" applies to mlp and mlp_regression only",
                                    hint: "Leave \(key) out for a \(family.name) model."))
        }
        if seen.contains("class_weight"), family.isNetwork || !family.objective.isClassifier {
            return .failure(Failure(message: "parameter \"class_weight\" applies to logistic, svm and softmax only",
                                    hint: "Leave class_weight out for a \(family.name) model."))
        }
        if family != .svr, seen.contains("svr_epsilon") {
            return .failure(Failure(message: "parameter \"svr_epsilon\" applies to svr only",
                                    hint: "Leave svr_epsilon out for a \(family.name) model."))
        }
        if parameters.segments == 0, let key = ["segment_offset", "segment_seed"].first(where: seen.contains) {
            return .failure(Failure(message: "parameter \"\(key)\" applies with segments only",
                                    hint: "Add segments=N (model hopping), or leave \(key) out."))
        }
        if parameters.patience == nil, seen.contains("tolerance") {
            return .failure(Failure(message: "parameter \"tolerance\" applies with patience only",
                                    hint: "Add patience=N (early stopping), or leave tolerance out."))
        }
        if parameters.segments > 0, parameters.segmentOffset >= parameters.segments {
            return .failure(Failure(message: "segment_offset must be below segments (\(parameters.segments)), got \(parameters.segmentOffset)",
                                    hint: "A model's offset picks its row of the hopping schedule: 0 to segments - 1."))
        }
        if !seen.contains("learning_rate") { parameters.learningRate = parameters.optimizer.defaultLearningRate }
        parameters.isNetwork = family.isNetwork
        parameters.isSVR = family == .svr
        return .success(parameters)
    }

    /// Every parameter with its effective value, in ``keys`` order
    /// (`validation_table` only when set).
    public var normalized: String {
        var parts = [
            "learning_rate=\(learningRate)", "decay=\(decay)", "batch_size=\(batchSize)",
            "l2=\(l2)", "l1=\(l1)", "intercept=\(intercept)", "buffer_fraction=\(bufferFraction)",
            "block_mb=\(blockMB)", "max_buffer_mb=\(maxBufferMB)", "full_shuffle_mb=\(fullShuffleMB)",
            "seed=\(seed)", "average=\(average)",
        ]
        parts.append("optimizer=\(optimizer.name)")
        switch optimizer {
        case .sgd: break
        case .momentum: parts.append("momentum=\(momentum)")
        case .adam: parts += ["beta1=\(beta1)", "beta2=\(beta2)", "epsilon=\(epsilon)"]
        }
        if isNetwork {
            parts += ["hidden_layers=[\(hiddenLayers.map(String.init).joined(separator: ","))]",
                      "activation=\(activation.name)", "standardize=\(standardize)"]
        }
        if !isNetwork && standardizeGiven { parts.append("standardize=\(standardize)") }
        if isSVR { parts.append("svr_epsilon=\(svrEpsilon)") }
        if let classWeights { parts.append("class_weight=[\(classWeights.map { "\($0)" }.joined(separator: ","))]") }
        if segments > 0 {
            parts += ["segments=\(segments)", "segment_offset=\(segmentOffset)", "segment_seed=\(segmentSeed ?? seed)"]
        }
        if let patience { parts += ["patience=\(patience)", "tolerance=\(tolerance)"] }
        if !validationTable.isEmpty { parts.append("validation_table=\(validationTable)") }
        return parts.joined(separator: ", ")
    }

    /// The valid range of each numeric parameter, and where its value is: the one
    /// definition that both ``parse(_:)`` and ``validationFailure()`` (used when a stored
    /// state is decoded) apply.
    typealias NumericRule = (key: String, range: String, valid: @Sendable (Double) -> Bool,
                             value: @Sendable (TrainingParameters) -> Double)
    static let numericRules: [NumericRule] = [
        ("learning_rate", "a positive number", { $0 > 0 && $0.isFinite }, { $0.learningRate }),
        ("decay", "in (0, 1]", { $0 > 0 && $0 <= 1 }, { $0.decay }),
        ("batch_size", "a whole number from 1 to 1000000", { $0 >= 1 && $0 <= 1_000_000 && $0 == $0.rounded() },
         { Double($0.batchSize) }),
        ("l2", "zero or positive", { $0 >= 0 && $0.isFinite }, { $0.l2 }),
        ("l1", "zero or positive", { $0 >= 0 && $0.isFinite }, { $0.l1 }),
        ("buffer_fraction", "in (0, 1]", { $0 > 0 && $0 <= 1 }, { $0.bufferFraction }),
        ("block_mb", "in (0, 1024]", { $0 > 0 && $0 <= 1024 }, { $0.blockMB }),
        ("max_buffer_mb", "in (0, 1048576]", { $0 > 0 && $0 <= 1_048_576 }, { $0.maxBufferMB }),
        ("full_shuffle_mb", "in [0, 1048576]", { $0 >= 0 && $0 <= 1_048_576 }, { $0.fullShuffleMB }),
        ("momentum", "in [0, 1)", { $0 >= 0 && $0 < 1 }, { $0.momentum }),
        ("beta1", "in [0, 1)", { $0 >= 0 && $0 < 1 }, { $0.beta1 }),
        ("beta2", "in [0, 1)", { $0 >= 0 && $0 < 1 }, { $0.beta2 }),
        ("epsilon", "a positive number", { $0 > 0 && $0.isFinite }, { $0.epsilon }),
        ("svr_epsilon", "zero or positive", { $0 >= 0 && $0.isFinite }, { $0.svrEpsilon }),
        ("segments", "a whole number from 0 to 100000", { $0 >= 0 && $0 <= 100_000 && $0 == $0.rounded() },
         { Double($0.segments) }),
        ("segment_offset", "a whole number from 0 to 99999", { $0 >= 0 && $0 < 100_000 && $0 == $0.rounded() },
         { Double($0.segmentOffset) }),
        ("patience", "a whole number from 1 to 100000", { $0 >= 1 && $0 <= 100_000 && $0 == $0.rounded() },
         { Double($0.patience ?? 1) }),
        ("tolerance", "zero or positive", { $0 >= 0 && $0.isFinite }, { $0.tolerance }),
        ("workers", "a whole number from 0 to 1024", { $0 >= 0 && $0 <= 1024 && $0 == $0.rounded() },
         { Double($0.workers ?? 0) }),
        ("configs_per_visit", "a whole number from 1 to 1000", { $0 >= 1 && $0 <= 1000 && $0 == $0.rounded() },
         { Double($0.configsPerVisit ?? 1) }),
        ("max_levels", "a whole number from 1 to 10000", { $0 >= 1 && $0 <= 10_000 && $0 == $0.rounded() },
         { Double($0.maxLevels ?? 100) }),
    ]

    /// The longest `validation_table` value, in UTF-8 bytes (a schema-qualified,
    /// quoted name fits in far less).
    public static let maximumValidationTableBytes = 512

    private mutating func setNumeric(_ key: String, _ x: Double) {
        switch key {
        case "learning_rate": learningRate = x
        case "decay": decay = x
        case "batch_size": batchSize = Int(x)
        case "l2": l2 = x
        case "l1": l1 = x
        case "buffer_fraction": bufferFraction = x
        case "block_mb": blockMB = x
        case "max_buffer_mb": maxBufferMB = x
        case "full_shuffle_mb": fullShuffleMB = x
        case "momentum": momentum = x
        case "beta1": beta1 = x
        case "beta2": beta2 = x
        case "epsilon": epsilon = x
        case "svr_epsilon": svrEpsilon = x
        case "segments": segments = Int(x)
        case "segment_offset": segmentOffset = Int(x)
        case "workers": workers = Int(x)
        case "configs_per_visit": configsPerVisit = Int(x)
        case "max_levels": maxLevels = Int(x)
        case "patience": patience = Int(x)
        case "tolerance": tolerance = x
        default: break
        }
    }

    /// The first parameter outside the range ``parse(_:)`` accepts, or nil when every
    /// value is one the parser could have produced. A decoded state must pass this
    /// before any of its values is used.
    public func validationFailure() -> Failure? {
        for rule in TrainingParameters.numericRules where !rule.valid(rule.value(self)) {
            return Failure(message: "\(rule.key) must be \(rule.range), got \(NumberFormat.sql(rule.value(self)))",
                           hint: "")
        }
        if let classWeights, classWeights.count < 2 || classWeights.count > TrainingParameters.maximumClassWeights
            || !classWeights.allSatisfy({ $0 > 0 && $0.isFinite }) {
            return Failure(message: "class_weight must be 2 to \(TrainingParameters.maximumClassWeights) positive numbers", hint: "")
        }
        if validationTable.utf8.count > TrainingParameters.maximumValidationTableBytes {
            return Failure(message: "validation_table is longer than \(TrainingParameters.maximumValidationTableBytes) bytes", hint: "")
        }
        return nil
    }

    private mutating func set(_ key: String, _ value: String) -> Failure? {
        if let rule = TrainingParameters.numericRules.first(where: { $0.key == key }) {
            guard let x = Double(value), x.isFinite, rule.valid(x) else {
                return Failure(message: "\(key) must be \(rule.range), got \"\(value)\"",
                               hint: "Write a number, e.g. \(key)=\(TrainingParameters.example(key)).")
            }
            setNumeric(key, x)
            return nil
        }
        switch key {
        case "class_weight":
            var body = Substring(value)
            if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            let items = body.split(separator: ",", omittingEmptySubsequences: false).map { Double(TrainingParameters.trimmed($0)) }
            let weights = items.compactMap { $0 }
            guard items.count >= 2, weights.count == items.count, weights.count <= TrainingParameters.maximumClassWeights,
                weights.allSatisfy({ $0 > 0 && $0.isFinite })
            else {
                return Failure(message: "class_weight must be 2 to \(TrainingParameters.maximumClassWeights) positive numbers, got \"\(value)\"",
                               hint: "Write one weight per class in class order, e.g. class_weight=[1,5] (negative, positive).")
            }
            classWeights = weights
            return nil
        case "hidden_layers":
            var body = Substring(value)
            if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            let widths = body.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int(TrainingParameters.trimmed($0)) }
            let layers = widths.compactMap { $0 }
            guard !widths.isEmpty, layers.count == widths.count, layers.count <= MultilayerPerceptron.maximumLayers,
                layers.allSatisfy({ $0 >= 1 && $0 <= MultilayerPerceptron.maximumWidth })
            else {
                return Failure(message: "hidden_layers must be 1 to \(MultilayerPerceptron.maximumLayers) widths from 1 to \(MultilayerPerceptron.maximumWidth), got \"\(value)\"",
                               hint: "Write the widths in brackets, e.g. hidden_layers=[64,32].")
            }
            hiddenLayers = layers
            return nil
        case "activation":
            guard let a = MultilayerPerceptron.Activation(name: value.lowercased()) else {
                return Failure(message: "activation must be one of relu, tanh, sigmoid, got \"\(value)\"",
                               hint: "Write activation=relu, activation=tanh or activation=sigmoid.")
            }
            activation = a
            return nil
        case "intercept", "average", "standardize":
            let flag: Bool
            switch value.lowercased() {
            case "true", "on", "yes", "1", "t": flag = true
            case "false", "off", "no", "0", "f": flag = false
            default:
                return Failure(message: "\(key) must be true or false, got \"\(value)\"",
                               hint: "Write \(key)=true or \(key)=false.")
            }
            switch key {
            case "intercept": intercept = flag
            case "average": average = flag
            default: standardize = flag
            }
            return nil
        case "seed", "segment_seed":
            guard let s = Int64(value) else {
                return Failure(message: "\(key) must be a whole number, got \"\(value)\"",
                               hint: "Write an integer, e.g. \(key)=42.")
            }
            if key == "seed" { seed = s } else { segmentSeed = s }
            return nil
        case "optimizer":
            guard let kind = OptimizerKind(name: value.lowercased()) else {
                return Failure(message: "optimizer must be one of \(OptimizerKind.validNames), got \"\(value)\"",
                               hint: "Write optimizer=sgd, optimizer=momentum or optimizer=adam.")
            }
            optimizer = kind
            return nil
        case "categorical":
            guard value.hasPrefix("["), value.hasSuffix("]"), value.count > 2 else {
                return Failure(message: "categorical must be a list of feature columns in brackets, got \"\(value)\"",
                               hint: "Write categorical=[store_id, zip].")
            }
            categorical = value.dropFirst().dropLast().split(separator: ",").map { TrainingParameters.trimmed($0) }
            return nil
        case "nulls":
            let policy = value.lowercased()
            guard ["skip", "impute"].contains(policy) else {
                return Failure(message: "nulls must be skip or impute, got \"\(value)\"",
                               hint: "Write nulls=skip (rows with a NULL feature are skipped) or nulls=impute (the training mean).")
            }
            nulls = policy
            return nil
        case "solver":
            let name = value.lowercased()
            guard ["sgd", "exact", "irls"].contains(name) else {
                return Failure(message: "solver must be sgd, exact or irls, got \"\(value)\"",
                               hint: "Write solver=exact (linear least squares) or solver=irls (logistic), or leave it out for SGD.")
            }
            solver = name
            return nil
        case "validation_table":
            guard !value.isEmpty else {
                return Failure(message: "validation_table must name a table, got \"\"",
                               hint: "Write validation_table=schema.table, or leave it out.")
            }
            guard value.utf8.count <= TrainingParameters.maximumValidationTableBytes else {
                return Failure(message: "validation_table is longer than \(TrainingParameters.maximumValidationTableBytes) bytes",
                               hint: "Write a table name, optionally schema-qualified.")
            }
            validationTable = value
            return nil
        default:
            return Failure(message: "unknown parameter \"\(key)\"",
                           hint: "Valid parameters: \(TrainingParameters.keys.joined(separator: ", ")).")
        }
    }

    private static func example(_ key: String) -> String {
        switch key {
        case "learning_rate": return "0.1"
        case "decay": return "0.95"
        case "batch_size": return "1"
        case "buffer_fraction": return "0.1"
        case "block_mb": return "10"
        case "max_buffer_mb": return "1024"
        case "full_shuffle_mb": return "64"
        case "max_levels": return "100"
        case "momentum", "beta1": return "0.9"
        case "beta2": return "0.999"
        case "epsilon": return "1e-8"
        case "svr_epsilon": return "0.01"
        case "patience": return "3"
        case "tolerance": return "0.0001"
        case "configs_per_visit": return "4"
        default: return "0"
        }
    }

    /// `override`'s items over `base`'s: a key given in both takes `override`'s value (in
    /// `base`'s position), the others are kept in order (base first). Keys compare
    /// case-insensitively; items are not validated here (``parse(_:family:)`` does that
    /// to the result, naming the bad item).
    public static func merged(base: String, override: String) -> String {
        func key(_ item: Substring) -> String {
            let t = trimmed(item)
            guard let equals = t.firstIndex(of: "=") else { return t.lowercased() }
            return trimmed(t[..<equals]).lowercased()
        }
        let blank: (Substring) -> Bool = { trimmed($0).isEmpty }
        let overrides = splitItems(override).filter { !blank($0) }
        var used = Set<Int>()
        var items: [String] = []
        for item in splitItems(base) where !blank(item) {
            if let i = overrides.indices.first(where: { !used.contains($0) && key(overrides[$0]) == key(item) }) {
                used.insert(i)
                items.append(trimmed(overrides[i]))
            } else {
                items.append(trimmed(item))
            }
        }
        for i in overrides.indices where !used.contains(i) { items.append(trimmed(overrides[i])) }
        return items.joined(separator: ", ")
    }

    /// Splits `key=value, key=value` at the commas outside brackets (a list value such as
    /// `hidden_layers=[64,32]` keeps its commas).
    static func splitItems(_ text: String) -> [Substring] { splitOutsideBrackets(Substring(text)) }

    /// `text` without leading and trailing blanks (space, tab, newline): the params and
    /// grid syntax's one trimming rule.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}

/// `text` cut at the commas that are not inside brackets: the one rule of corgi's params
/// and grid syntax (`hidden_layers=[64,32], l2=0` is two items).
func splitOutsideBrackets(_ text: Substring) -> [Substring] {
    var items: [Substring] = [], depth = 0, start = text.startIndex
    for index in text.indices {
        switch text[index] {
        case "[": depth += 1
        case "]": depth = max(0, depth - 1)
        case "," where depth == 0:
            items.append(text[start..<index]); start = text.index(after: index)
        default: break
        }
    }
    items.append(text[start...])
    return items
}
