import CorgiCore
import XCTest

/// Random feature maps: inner products of mapped rows estimate the kernel; the map is a
/// function of its parameters (the same bits again); refusals name the parameter.
final class KernelFeatureMapTests: XCTestCase {
    private func product(_ map: KernelFeatureMap, _ x: [Double], _ y: [Double]) throws -> Double {
        let a = try XCTUnwrap(map.map(x)), b = try XCTUnwrap(map.map(y))
        return zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func testGaussianInnerProductsEstimateTheKernel() throws {
        let map = try KernelFeatureMap.make(kernel: "gaussian", params: "gamma=0.5, n_components=40000, random_state=3",
                                            inputCount: 3).get()
        let pairs: [([Double], [Double])] = [([0, 0, 0], [0, 0, 0]), ([1, 0, 0], [0, 1, 0]), ([0.5, -0.2, 1], [0.1, 0.3, 0.4]),
                                             ([2, 2, 2], [-1, 0, 1])]
        for (x, y) in pairs {
            let distance = zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            XCTAssertEqual(try product(map, x, y), exp(-0.5 * distance), accuracy: 0.02, "\(x) \(y)")
        }
    }

    func testPolynomialInnerProductsEstimateTheKernel() throws {
        let map = try KernelFeatureMap.make(kernel: "poly", params: "degree=2, coef0=1, n_components=60000, random_state=5",
                                            inputCount: 2).get()
        for (x, y) in [([0.5, 0.5], [0.5, -0.5]), ([0.3, 0.1], [0.2, 0.4]), ([1, 0], [1, 0])] {
            let k = pow(1 + x[0] * y[0] + x[1] * y[1], 2)
            XCTAssertEqual(try product(map, x, y), k, accuracy: 0.1 * k, "\(x) \(y)")
        }
    }

    func testTheMapIsAFunctionOfItsParameters() throws {
        let a = try KernelFeatureMap.make(kernel: "ga", params: "n_components=8", inputCount: 4).get()
        let b = try KernelFeatureMap.make(kernel: "GAUSSIAN", params: " n_components = 8 , random_state=1", inputCount: 4).get()
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.map([1, 2, 3, 4]), b.map([1, 2, 3, 4]))
        let c = try KernelFeatureMap.make(kernel: "gaussian", params: "n_components=8, random_state=2", inputCount: 4).get()
        XCTAssertNotEqual(a.map([1, 2, 3, 4]), c.map([1, 2, 3, 4]))
        XCTAssertEqual(try KernelFeatureMap.make(kernel: "polynomial", params: "", inputCount: 5).get().components, 10)
        XCTAssertNil(a.map([1, 2, 3]))
    }

    func testRefusals() {
        func message(_ kernel: String, _ params: String, _ n: Int = 2) -> String? {
            if case .failure(let f) = KernelFeatureMap.make(kernel: kernel, params: params, inputCount: n) { return f.message }
            return nil
        }
        XCTAssertEqual(message("rbf", ""), "unknown kernel \"rbf\"")
        XCTAssertEqual(message("g", ""), "unknown kernel \"g\"")
        XCTAssertEqual(message("gaussian", "gamma=0"), "gamma must be positive and at most 1e100, got 0")
        XCTAssertEqual(message("gaussian", "gamma=1e308"), "gamma must be positive and at most 1e100, got 1e308")
        XCTAssertEqual(message("poly", "degree=20, coef0=1e300"), "coef0^degree overflows (coef0 1e+300, degree 20)")
        XCTAssertEqual(message("gaussian", "gamma=1, gamma=2"), "kernel parameter \"gamma\" is given twice")
        XCTAssertEqual(message("poly", "gamma=1"), "gamma applies to the gaussian kernel")
        XCTAssertEqual(message("gaussian", "degree=2"), "degree applies to the polynomial kernel")
        XCTAssertEqual(message("poly", "degree=0"), "degree must be a whole number from 1 to 20, got 0")
        XCTAssertEqual(message("gaussian", "n_components=0"), "n_components must be a whole number from 1 to 100000, got 0")
        XCTAssertEqual(message("gaussian", "n_components=100000", 1000), "a map of 100000 components of 1000 values needs more than 4194304 weights")
        XCTAssertEqual(message("gaussian", "colour=3"), "unknown kernel parameter \"colour\"")
        XCTAssertEqual(message("gaussian", "gamma"), "kernel parameter \"gamma\" is not key=number")
        XCTAssertEqual(message("gaussian", "", 0), "a kernel maps rows of 1 to 1000000 values, got 0")
        XCTAssertNil(message("gaussian", "fit_intercept=true, gamma=2, fit_in_memory=false"))
    }
}
