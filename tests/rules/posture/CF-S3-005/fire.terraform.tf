# Account-wide Block Public Access, with bucket policies still allowed to go public.
variable "allow_public_policies" {
  type    = bool
  default = true
}

resource "aws_s3_account_public_access_block" "this" {
  account_id              = "111122223333"
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = !var.allow_public_policies
  restrict_public_buckets = true
}
