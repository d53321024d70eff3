# Account-wide Block Public Access, every setting on.
variable "allow_public_policies" {
  type    = bool
  default = false
}

resource "aws_s3_account_public_access_block" "this" {
  account_id              = "111122223333"
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = !var.allow_public_policies
  restrict_public_buckets = true
}
