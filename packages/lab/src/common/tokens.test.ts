import type { Me } from '@coursework/client';
import { initialCourse, taughtCourses, teachesACourse } from './tokens';

const me = (courses: Me['courses']): Me =>
  ({
    name: 'ta',
    kind: 'user',
    admin: false,
    groups: [],
    roles: [],
    permissions: [],
    course: { id: 'demo', title: 'Demo' },
    courseAdmin: false,
    courses,
  }) as Me;

describe('the courses a user teaches', () => {
  const courses: Me['courses'] = [
    { id: 'ml-200', title: 'Machine Learning', roles: ['grader'], default: false },
    { id: 'art', title: 'Art', roles: ['student'], default: false },
    { id: 'demo', title: 'Demo', roles: ['instructor', 'student'], default: true },
  ];

  it('are those where they instruct or grade, the default course first', () => {
    expect(taughtCourses(me(courses)).map((c) => c.id)).toEqual(['demo', 'ml-200']);
    expect(teachesACourse(me(courses))).toBe(true);
    expect(teachesACourse(me([courses[1]!]))).toBe(false);
  });

  it('open on the one chosen last time while it is still taught, else on the first', () => {
    const taught = taughtCourses(me(courses));
    expect(initialCourse(taught, 'ml-200')?.id).toBe('ml-200');
    expect(initialCourse(taught, 'art')?.id).toBe('demo');
    expect(initialCourse(taught, null)?.id).toBe('demo');
  });
});
