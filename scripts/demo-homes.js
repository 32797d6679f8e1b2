#!/usr/bin/env node
// Creates the demo users' homes under the given folder: each student gets the course's notebooks (demo/home),
// hidden files, a subfolder and a note of their own; the instructor, a notebook that uses the Python client. Files that already exist are left alone, so students'
// changes survive a restart of the demo.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = process.argv[2];
if (!root) {
  console.error('usage: demo-homes.js <homes folder>');
  process.exit(2);
}
const template = path.join(__dirname, '..', 'demo', 'home');
const instructorTemplate = path.join(__dirname, '..', 'demo', 'instructor-home');
const students = ['student1', 'student2', 'student3', 'student4'];

for (const user of ['instructor', 'grader', ...students]) {
  const home = path.join(root, user);
  fs.mkdirSync(home, { recursive: true });
  if (user === 'instructor') fs.cpSync(instructorTemplate, home, { recursive: true, force: false, errorOnExist: false });
  if (!students.includes(user)) continue;
  fs.cpSync(template, home, { recursive: true, force: false, errorOnExist: false });
  const note = path.join(home, 'about-me.md');
  if (!fs.existsSync(note)) fs.writeFileSync(note, `# ${user}\n\nMy notes.\n`);
}
