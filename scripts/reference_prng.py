#!/usr/bin/env python3
"""Independent reference for corgi's PRNG and block order (used to produce the Swift test vectors).

Implements SplitMix64, xoshiro256**, Lemire's unbiased bounded draw and the forward
(incremental) Fisher-Yates exactly as documented in Sources/CorgiCore, in plain Python
integers, so the Swift tests compare against numbers computed outside Swift.
Usage: scripts/reference_prng.py
"""
M = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & M

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)


class Xoshiro256StarStar:
    def __init__(self, state):
        self.s = list(state)

    @classmethod
    def seeded(cls, seed):
        sm = SplitMix64(seed)
        return cls([sm.next() for _ in range(4)])

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        if bound == 0:
            return 0
        m = self.next() * bound
        low = m & M
        if low < bound:
            t = ((1 << 64) - bound) % bound
            while low < t:
                m = self.next() * bound
                low = m & M
        return m >> 64


def permutation(count, seed):
    rng = Xoshiro256StarStar.seeded(seed)
    slots = list(range(count))
    out = []
    for i in range(count):
        j = i + rng.below(count - i)
        slots[i], slots[j] = slots[j], slots[i]
        out.append(slots[i])
    return out


def block_page_order(npages, block_pages, seed):
    nblocks = (npages + block_pages - 1) // block_pages
    pages = []
    for b in permutation(nblocks, seed):
        pages.extend(range(b * block_pages, min((b + 1) * block_pages, npages)))
    return pages


if __name__ == "__main__":
    x = Xoshiro256StarStar([1, 2, 3, 4])
    print("xoshiro {1,2,3,4}:", [x.next() for _ in range(6)])
    x = Xoshiro256StarStar.seeded(42)
    print("xoshiro seeded(42):", [x.next() for _ in range(4)])
    x = Xoshiro256StarStar.seeded(7)
    print("below(10) seeded(7):", [x.below(10) for _ in range(12)])
    x = Xoshiro256StarStar.seeded(7)
    print("below(2^63+1) seeded(7):", [x.below((1 << 63) + 1) for _ in range(4)])
    print("permutation(10, seed 42):", permutation(10, 42))
    print("permutation(7, seed 0):", permutation(7, 0))
    print("pages(npages 10, block 3, seed 1):", block_page_order(10, 3, 1))
