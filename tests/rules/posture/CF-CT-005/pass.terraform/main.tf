# The trail writes into a private bucket made by a local module.
module "trail_bucket" {
  source = "./modules/log-bucket"
  name   = "acme-trail-logs"
}

resource "aws_kms_key" "trail" {
  description         = "CloudTrail logs"
  enable_key_rotation = true
}

resource "aws_cloudtrail" "main" {
  name                       = "acme-trail"
  s3_bucket_name             = module.trail_bucket.name
  kms_key_id                 = aws_kms_key.trail.arn
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
