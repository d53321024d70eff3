# A public access block that sets only two of the four flags; the others default to false.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket              = aws_s3_bucket.reports.id
  block_public_acls   = true
  block_public_policy = true
}
