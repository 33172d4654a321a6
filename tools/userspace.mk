# SPDX-License-Identifier: GPL-2.0
# Flags shared by every ecsenc userspace program.  Include from a directory
# one level below tools/ or from kms-agent/ (LIBDIR is found from here).
USERSPACE_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
LIBDIR := $(USERSPACE_MK_DIR)lib

CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror=implicit-function-declaration \
	  -Wshadow -Wformat=2 -Wno-unused-parameter -D_FORTIFY_SOURCE=2 \
	  -fstack-protector-strong -MMD -MP -I$(LIBDIR)
LDFLAGS += -Wl,-z,relro,-z,now

# The release, from debian/changelog ("ecsenc (0.1.0-1) ..." -> 0.1.0).
ECSENC_VERSION := $(shell head -n 1 $(USERSPACE_MK_DIR)../debian/changelog | cut -d' ' -f2 | tr -d '()' | cut -d- -f1)
CFLAGS += -DECSENC_VERSION='"$(ECSENC_VERSION)"'

PKGS_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKGS_LIBS = $(shell pkg-config --libs $(PKGS))
