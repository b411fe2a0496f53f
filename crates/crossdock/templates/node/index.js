// Loads the native module built for this machine. Written by crossdock because the package
// has no loader of its own: it tries the module file beside it, then the platform package
// {{PACKAGE}}-PLATFORM (an optional dependency npm installed for this os, cpu and libc).
'use strict'

const { existsSync, readFileSync } = require('fs')
const { join } = require('path')

const PLATFORMS = {{PLATFORMS}}

// glibc or musl, decided at run time: a Node linked against glibc reports its version.
function libc() {
  if (process.platform !== 'linux') return null
  try {
    return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl'
  } catch (e) {}
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'glibc'
  } catch (e) {
    return 'glibc'
  }
}

function load() {
  const here = libc()
  const errors = []
  for (const p of PLATFORMS) {
    if (p.os !== process.platform) continue
    if (p.cpu.length > 0 && !p.cpu.includes(process.arch)) continue
    if (p.libc !== null && p.libc !== here) continue
    const local = join(__dirname, '{{BINARY}}.' + p.name + '.node')
    const ids = existsSync(local) ? [local] : ['{{PACKAGE}}-' + p.name]
    for (const id of ids) {
      try {
        return require(id)
      } catch (e) {
        errors.push(e)
      }
    }
  }
  const where = process.platform + '-' + process.arch + (here ? '-' + here : '')
  const err = new Error(
    '{{PACKAGE}}: no native module for ' + where + ' could be loaded (built for: ' +
      PLATFORMS.map((p) => p.name).join(', ') + '). If npm skipped optional dependencies, ' +
      'reinstall without --omit=optional.'
  )
  err.cause = errors
  throw err
}

module.exports = load()
