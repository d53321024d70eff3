# Anyone may read the objects of the reports bucket.
locals {
  bucket = "acme-reports"
}

resource "aws_s3_bucket" "reports" {
  bucket = local.bucket
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Read"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["s3:GetObject"]
      Resource  = "arn:aws:s3:::${local.bucket}/*"
    }]
  })
}
