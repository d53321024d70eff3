package main

const (
	hcpClientSecret = "rI1e282iFNWK7kB5orjsNUsGRclJU33hL8oSpE2o6d_69UIvb2j78ifBDSSdJVE2"
)
