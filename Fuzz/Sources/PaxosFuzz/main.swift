#if canImport(Glibc)
    import Glibc
#endif
/// libFuzzer's driver, called from our own `main` (SwiftPM gives every executable one), with
/// `fuzzOneInput` as the target. Arguments are libFuzzer's: a corpus directory, `-max_total_time=S`...
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
