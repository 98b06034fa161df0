/* A stand-in for the NVIDIA driver's libcuda.so.1 on a machine without an NVIDIA GPU (by-hand proof,
 * test/bench/gpu/prove-loading.sh): it reports a CUDA 13.0 driver with no device, so the CUDA
 * runtime answers "no CUDA-capable device" — proving the provider and its libraries loaded.
 * Build: cc -shared -fPIC -o libcuda.so.1 stub-libcuda.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_NOT_INITIALIZED = 3,
       CUDA_ERROR_NO_DEVICE = 100, CUDA_ERROR_NOT_FOUND = 500 };

static int trace(void) {
  static int on = -1;
  if (on < 0) on = getenv("STUB_CUDA_TRACE") != NULL;
  return on;
}
#define LOG(...) do { if (trace()) fprintf(stderr, "[stub libcuda] " __VA_ARGS__); } while (0)

CUresult cuInit(unsigned int flags) { LOG("cuInit(%u) -> 100 no device\n", flags); return CUDA_ERROR_NO_DEVICE; }
CUresult cuDriverGetVersion(int *v) { if (!v) return CUDA_ERROR_INVALID_VALUE; *v = 13000; LOG("cuDriverGetVersion -> 13000\n"); return CUDA_SUCCESS; }
CUresult cuDeviceGetCount(int *n) { if (n) *n = 0; LOG("cuDeviceGetCount -> 0\n"); return CUDA_ERROR_NO_DEVICE; }
CUresult cuDeviceGet(int *d, int ordinal) { (void)d; (void)ordinal; return CUDA_ERROR_NO_DEVICE; }
CUresult cuGetErrorString(CUresult e, const char **s) { static const char *m = "no CUDA-capable device is detected"; if (s) *s = e == CUDA_ERROR_NO_DEVICE ? m : "stub libcuda error"; return CUDA_SUCCESS; }
CUresult cuGetErrorName(CUresult e, const char **s) { if (s) *s = e == CUDA_ERROR_NO_DEVICE ? "CUDA_ERROR_NO_DEVICE" : "CUDA_ERROR_UNKNOWN"; return CUDA_SUCCESS; }
/* NEEDED by libonnxruntime_providers_cuda.so at load time; never reached without a device. */
CUresult cuTensorMapEncodeTiled(void) { return CUDA_ERROR_NO_DEVICE; }

/* The CUDA runtime asks for every driver entry point by name through this (CUDA ≥ 12): give it the
 * ones above, and CUDA_ERROR_NOT_FOUND for the rest. */
static void *lookup(const char *symbol) {
  static const struct { const char *name; void *fn; } table[] = {
    {"cuInit", (void *)cuInit}, {"cuDriverGetVersion", (void *)cuDriverGetVersion},
    {"cuDeviceGetCount", (void *)cuDeviceGetCount}, {"cuDeviceGet", (void *)cuDeviceGet},
    {"cuGetErrorString", (void *)cuGetErrorString}, {"cuGetErrorName", (void *)cuGetErrorName},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(symbol, table[i].name) == 0) return table[i].fn;
  return NULL;
}
CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int version, unsigned long long flags, int *status) {
  (void)flags;
  void *fn = symbol ? lookup(symbol) : NULL;
  if (pfn) *pfn = fn;
  if (status) *status = fn ? 0 : 1; /* CU_GET_PROC_ADDRESS_SUCCESS / _SYMBOL_NOT_FOUND */
  LOG("cuGetProcAddress(%s, %d) -> %s\n", symbol ? symbol : "(null)", version, fn ? "stub" : "not found");
  return fn ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}
CUresult cuGetProcAddress(const char *symbol, void **pfn, int version, unsigned long long flags) {
  return cuGetProcAddress_v2(symbol, pfn, version, flags, NULL);
}
