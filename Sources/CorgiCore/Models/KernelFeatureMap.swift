#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A random feature map whose inner products approximate a kernel, so that a linear model
/// on the mapped rows (an SVM, a regression) learns the kernel machine's nonlinear
/// boundary in one pass per epoch, as MADlib's `svm_classification` and `svm_regression`
/// do for their `gaussian` and `polynomial` kernels.
///
/// | kernel | k(x, y) | map (D = `components`) |
/// |---|---|---|
/// | gaussian | `exp(-gamma |x - y|^2)` | random Fourier features (Rahimi and Recht): `sqrt(2/D) cos(w_i . x + b_i)`, `w_i ~ N(0, 2 gamma I)`, `b_i ~ U[0, 2 pi)` |
/// | polynomial | `(coef0 + x . y)^degree` | random Maclaurin features (Kar and Karnick): component i draws N with P(N = n) = 2^-(n+1) and N Rademacher vectors, `sqrt(a_N 2^(N+1) / D) prod_j (r_ij . x)`, `a_n = C(degree, n) coef0^(degree - n)` (0 for n > degree) |
///
/// Contract: the map is a function of (kernel, parameters, input width) alone, drawn
/// from `randomState` with corgi's seeded generator, so training and prediction (and
/// every server) map a row to the same bits. Inner products of mapped rows are unbiased
/// estimates of the kernel (tested). Never traps; ``init`` refuses out-of-range values.
public struct KernelFeatureMap: Equatable, Sendable {
    public enum Kernel: Equatable, Sendable {
        case gaussian(gamma: Double)
        case polynomial(degree: Int, coef0: Double)
    }

    public let kernel: Kernel
    public let inputCount: Int
    public let components: Int
    public let randomState: UInt64
    /// Gaussian: `components x inputCount` frequencies, then `components` phases.
    /// Polynomial: per component its scale, its degree N, and N Rademacher rows (+-1).
    private let weights: [Double]
    private let offsets: [Double]
    private let degrees: [Int]

    /// The most components, and the most weights a map may hold (32 MB of float64, drawn
    /// in about a tenth of a second: the glue cannot check for interrupts while it draws).
    public static let maximumComponents = 100_000
    public static let maximumWeights = 1 << 22

    /// A failed parse or an out-of-range value: what is wrong, and what would be valid.
    public struct Failure: Error, Equatable, Sendable {
        public let message: String
        public let hint: String
    }

    /// The map of `kernel` (`gaussian`, `polynomial`, or a prefix of either of at least two
    /// letters, as MADlib takes them) with `params` (`'gamma=0.5, n_components=100,
    /// random_state=1, degree=3, coef0=1'`; MADlib's defaults: n_components 2 x the input
    /// width, random_state 1, gamma 1 / the input width, degree 3, coef0 1) for rows of
    /// `inputCount` values.
    public static func make(kernel name: String, params: String, inputCount: Int) -> Result<KernelFeatureMap, Failure> {
        make(kernel: name, params: params, inputCount: inputCount, draw: true)
    }

    /// `draw` false: the parameters checked, nothing drawn (``plannedBytes``).
    private static func make(kernel name: String, params: String, inputCount: Int, draw: Bool) -> Result<KernelFeatureMap, Failure> {
        guard inputCount >= 1, inputCount <= LinearModel.maximumFeatures else {
            return .failure(Failure(message: "a kernel maps rows of 1 to \(LinearModel.maximumFeatures) values, got \(inputCount)",
                                    hint: "Pass the features as one float8[]."))
        }
        let lowered = TrainingParameters.trimmed(Substring(name)).lowercased()
        let gaussian = lowered.count >= 2 && "gaussian".hasPrefix(lowered)
        let polynomial = lowered.count >= 2 && "polynomial".hasPrefix(lowered)
        guard gaussian || polynomial else {
            return .failure(Failure(message: "unknown kernel \"\(name)\"", hint: "Use gaussian or polynomial (or linear: no map)."))
        }
        var components = 2 * inputCount, state: UInt64 = 1, gamma = 1 / Double(inputCount), degree = 3, coef0 = 1.0
        var seen = Set<String>()
        for item in params.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { TrainingParameters.trimmed($0) }
            if pair.count == 1 && pair[0].isEmpty { continue }
            // The model's, not the map's (MADlib's kernel_params carry them too).
            if pair.count == 2, ["fit_intercept", "fit_in_memory"].contains(pair[0].lowercased()) { continue }
            guard pair.count == 2, let value = Double(pair[1]), value.isFinite else {
                return .failure(Failure(message: "kernel parameter \"\(TrainingParameters.trimmed(item))\" is not key=number",
                                        hint: "Write kernel_params as 'gamma=0.5, n_components=100, random_state=1'."))
            }
            let key = pair[0].lowercased()
            guard seen.insert(key).inserted else {
                return .failure(Failure(message: "kernel parameter \"\(key)\" is given twice", hint: "Give each parameter once."))
            }
            switch key {
            case "n_components":
                guard value >= 1, value <= Double(maximumComponents), value == value.rounded() else {
                    return .failure(Failure(message: "n_components must be a whole number from 1 to \(maximumComponents), got \(pair[1])",
                                            hint: "More components approximate the kernel better; 2 x the features is the default."))
                }
                components = Int(value)
            case "random_state":
                guard value >= 0, value < 9.2e18, value == value.rounded() else {
                    return .failure(Failure(message: "random_state must be a whole number of at least 0, got \(pair[1])", hint: ""))
                }
                state = UInt64(value)
            case "gamma":
                guard gaussian, value > 0, (2 * value).isFinite, value <= 1e100 else {
                    return .failure(Failure(message: gaussian ? "gamma must be positive and at most 1e100, got \(pair[1])" : "gamma applies to the gaussian kernel",
                                            hint: "k(x, y) = exp(-gamma |x - y|^2)."))
                }
                gamma = value
            case "degree":
                guard polynomial, value >= 1, value <= 20, value == value.rounded() else {
                    return .failure(Failure(message: polynomial ? "degree must be a whole number from 1 to 20, got \(pair[1])"
                                                                : "degree applies to the polynomial kernel",
                                            hint: "k(x, y) = (coef0 + x . y)^degree."))
                }
                degree = Int(value)
            case "coef0":
                guard polynomial, value >= 0 else {
                    return .failure(Failure(message: polynomial ? "coef0 must be at least 0, got \(pair[1])" : "coef0 applies to the polynomial kernel",
                                            hint: "k(x, y) = (coef0 + x . y)^degree."))
                }
                coef0 = value
            default:
                return .failure(Failure(message: "unknown kernel parameter \"\(key)\"",
                                        hint: "gaussian takes gamma, n_components, random_state; polynomial degree, coef0, n_components, random_state."))
            }
        }
        if polynomial {
            // The Maclaurin coefficients C(degree, n) coef0^(degree - n), scaled by 2^(n+1), must be numbers.
            for n in 0...degree where !(Double(binomial(degree, n)) * pow(coef0, Double(degree - n)) * pow(2, Double(n + 1))).isFinite {
                return .failure(Failure(message: "coef0^degree overflows (coef0 \(coef0), degree \(degree))",
                                        hint: "Scale the features instead of coef0, or lower the degree."))
            }
        }
        let kernel: Kernel = gaussian ? .gaussian(gamma: gamma) : .polynomial(degree: degree, coef0: coef0)
        let (weightCount, overflow) = components.multipliedReportingOverflow(by: inputCount * (gaussian ? 1 : degree))
        guard !overflow, weightCount <= maximumWeights else {
            return .failure(Failure(message: "a map of \(components) components of \(inputCount) values needs more than \(maximumWeights) weights",
                                    hint: "Ask for fewer n_components."))
        }
        return .success(KernelFeatureMap(kernel: kernel, inputCount: inputCount, components: components, randomState: state,
                                         draw: draw))
    }

    /// The most bytes the map of these arguments holds (its weights at the most, offsets,
    /// degrees), before it is drawn: the glue counts it against `corgi.max_buffer_mb`.
    public static func plannedBytes(kernel name: String, params: String, inputCount: Int) -> Result<Int, Failure> {
        make(kernel: name, params: params, inputCount: inputCount, draw: false).map { map in
            let perComponent: Int
            switch map.kernel {
            case .gaussian: perComponent = map.inputCount + 1
            case .polynomial(let degree, _): perComponent = map.inputCount * degree + 2
            }
            return 8 * map.components * perComponent + 256
        }
    }

    private init(kernel: Kernel, inputCount: Int, components: Int, randomState: UInt64, draw: Bool) {
        self.kernel = kernel
        self.inputCount = inputCount
        self.components = components
        self.randomState = randomState
        var generator = Xoshiro256StarStar(seed: randomState)
        var weights: [Double] = [], offsets: [Double] = [], degrees: [Int] = []
        guard draw else {
            self.weights = []; self.offsets = []; self.degrees = []
            return
        }
        switch kernel {
        case .gaussian(let gamma):
            // w ~ N(0, 2 gamma): Box-Muller, two normals per draw of two uniforms.
            let deviation = (2 * gamma).squareRoot()
            weights.reserveCapacity(components * inputCount)
            while weights.count < components * inputCount {
                let u1 = 1 - generator.nextUnitInterval(), u2 = generator.nextUnitInterval()
                let radius = (-2 * log(u1)).squareRoot()
                weights.append(deviation * radius * cos(2 * Double.pi * u2))
                if weights.count < components * inputCount { weights.append(deviation * radius * sin(2 * Double.pi * u2)) }
            }
            offsets = (0..<components).map { _ in 2 * Double.pi * generator.nextUnitInterval() }
        case .polynomial(let degree, let coef0):
            for _ in 0..<components {
                // P(N = n) = 2^-(n+1); beyond the degree the coefficient is 0 (no draws kept).
                var n = 0
                while n <= degree && generator.next() & 1 == 1 { n += 1 }
                let coefficient = n <= degree ? Double(Self.binomial(degree, n)) * pow(coef0, Double(degree - n)) : 0
                offsets.append((coefficient * pow(2, Double(n + 1)) / Double(components)).squareRoot())
                degrees.append(n <= degree ? n : 0)
                for _ in 0..<(n <= degree ? n : 0) {
                    for _ in 0..<inputCount { weights.append(generator.next() & 1 == 1 ? 1 : -1) }
                }
            }
        }
        self.weights = weights
        self.offsets = offsets
        self.degrees = degrees
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var result = 1
        for i in 0..<min(k, n - k) { result = result * (n - i) / (i + 1) }
        return result
    }

    /// The mapped row (``components`` values) into `out`; false when `x` has another width.
    public func map(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        // offsets.count: a map that was drawn (``plannedBytes`` parses without drawing).
        guard x.count == inputCount, out.count == components, offsets.count == components, let xs = x.baseAddress
        else { return false }
        let n = inputCount
        weights.withUnsafeBufferPointer { w in
            guard let w = w.baseAddress else { return }
            switch kernel {
            case .gaussian:
                let scale = (2 / Double(components)).squareRoot()
                for i in 0..<components { out[i] = scale * cos(dot(w + i * n, xs, n) + offsets[i]) }
            case .polynomial:
                var row = 0
                for i in 0..<components {
                    var product = offsets[i]
                    for _ in 0..<degrees[i] {
                        product *= dot(w + row * n, xs, n)
                        row += 1
                    }
                    out[i] = product
                }
            }
        }
        return true
    }

    /// `map(_:into:)` as an array, or nil for another width.
    public func map(_ x: [Double]) -> [Double]? {
        var out = [Double](repeating: 0, count: components)
        let ok = x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { map(xs, into: $0) } }
        return ok ? out : nil
    }
}
