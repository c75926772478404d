import Glibc

/// CPU time this process has used (user + system, every thread), for figures per operation that
/// hold still when the machine is busy.
public enum ProcessCPU {
    public static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
    }
}
