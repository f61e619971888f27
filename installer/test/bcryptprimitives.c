/*
 * Test bed only, never shipped: Go 1.22 and later need ProcessPrng from
 * bcryptprimitives.dll, which every supported Windows has but Debian 12's wine 8 lacks.
 * installer/test.sh builds this stand-in into the wine prefix's system32 so the
 * Windows binary can start under wine. It fills the buffer from RtlGenRandom.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
