# Release artifacts; everything else is plain `go` (see README.md).
.PHONY: dist dist-test

# Builds the Linux packages, the Windows setup and the binaries into dist/.
dist:
	installer/build.sh

# Checks the artifacts in dist/ (package contents, lintian, the unit, wine).
dist-test:
	installer/test.sh
