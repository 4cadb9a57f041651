terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # The state holds every secret of the suite (the database password, JWT_SECRET, OTP_PEPPER and
  # the provider keys): keep it in an encrypted remote backend that few people can read, e.g.
  #
  #   backend "s3" {
  #     bucket       = "my-terraform-state"
  #     key          = "otp-suite/terraform.tfstate"
  #     region       = "us-east-1"
  #     encrypt      = true
  #     use_lockfile = true # Terraform 1.10 and later; before it, a DynamoDB table (dynamodb_table)
  #   }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "otp-suite", Deployment = var.name, ManagedBy = "terraform" }, var.tags)
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}
